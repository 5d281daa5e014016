//! The host side of every `wasi:cli/command` import, one file per WASI family, and the one
//! function that links them all.

pub mod cli;
pub mod clocks;
pub mod filesystem;
pub mod io;
pub mod random;
pub mod sockets;
pub mod stdio;

use wasmtime::component::{HasSelf, Linker};
use wasmtime_wasi_io::bindings::wasi::io as wasi_io;

use super::bindings::wasi;
use super::store::StoreData;

fn this(s: &mut StoreData) -> &mut StoreData {
    s
}

/// Defines every import of the `wasi:cli/command` world in `linker`.
pub fn add_to_linker(linker: &mut Linker<StoreData>) -> wasmtime::Result<()> {
    type Data = HasSelf<StoreData>;

    wasi_io::error::add_to_linker::<_, io::TableData>(linker, |s| &mut s.table)?;
    wasi_io::streams::add_to_linker::<_, io::TableData>(linker, |s| &mut s.table)?;
    wasi_io::poll::add_to_linker::<_, io::PollData>(linker, StoreData::poll_view)?;

    wasi::cli::environment::add_to_linker::<_, Data>(linker, this)?;
    wasi::cli::exit::add_to_linker::<_, Data>(linker, this)?;
    wasi::cli::stdin::add_to_linker::<_, Data>(linker, this)?;
    wasi::cli::stdout::add_to_linker::<_, Data>(linker, this)?;
    wasi::cli::stderr::add_to_linker::<_, Data>(linker, this)?;
    wasi::cli::terminal_input::add_to_linker::<_, Data>(linker, this)?;
    wasi::cli::terminal_output::add_to_linker::<_, Data>(linker, this)?;
    wasi::cli::terminal_stdin::add_to_linker::<_, Data>(linker, this)?;
    wasi::cli::terminal_stdout::add_to_linker::<_, Data>(linker, this)?;
    wasi::cli::terminal_stderr::add_to_linker::<_, Data>(linker, this)?;

    wasi::clocks::monotonic_clock::add_to_linker::<_, Data>(linker, this)?;
    wasi::clocks::wall_clock::add_to_linker::<_, Data>(linker, this)?;

    wasi::random::random::add_to_linker::<_, Data>(linker, this)?;
    wasi::random::insecure::add_to_linker::<_, Data>(linker, this)?;
    wasi::random::insecure_seed::add_to_linker::<_, Data>(linker, this)?;

    wasi::filesystem::types::add_to_linker::<_, Data>(linker, this)?;
    wasi::filesystem::preopens::add_to_linker::<_, Data>(linker, this)?;

    wasi::sockets::network::add_to_linker::<_, Data>(linker, &Default::default(), this)?;
    wasi::sockets::instance_network::add_to_linker::<_, Data>(linker, this)?;
    wasi::sockets::ip_name_lookup::add_to_linker::<_, Data>(linker, this)?;
    wasi::sockets::tcp::add_to_linker::<_, Data>(linker, this)?;
    wasi::sockets::tcp_create_socket::add_to_linker::<_, Data>(linker, this)?;
    wasi::sockets::udp::add_to_linker::<_, Data>(linker, this)?;
    wasi::sockets::udp_create_socket::add_to_linker::<_, Data>(linker, this)?;
    Ok(())
}
