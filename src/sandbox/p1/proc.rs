//! The process-level calls: arguments, environment, clocks, random bytes, exit, and the socket
//! calls that no descriptor can satisfy.
//!
//! Arguments and environment are the run's (`wasi/cli.rs`), clock reads the run's clocks
//! (`wasi/clocks.rs`), random bytes the run's one seeded stream (`wasi/random.rs`).

use wiggle::{GuestMemory, GuestPtr};

use super::bindings::types::{Clockid, Errno, Error, Exitcode, Fd, Size, Timestamp};
use crate::sandbox::ending::GuestExit;
use crate::sandbox::store::StoreData;

/// The resolution both clocks report: they count whole nanoseconds.
const RESOLUTION_NS: Timestamp = 1;

/// `argv` as NUL-terminated strings: the program name, then the arguments.
pub fn args(data: &StoreData) -> Vec<Vec<u8>> {
    data.cli
        .args
        .iter()
        .map(|a| a.as_bytes().to_vec())
        .collect()
}

/// The environment as `NAME=value` strings, in the caller's order.
pub fn environ(data: &StoreData) -> Vec<Vec<u8>> {
    let pair = |(k, v): &(String, String)| format!("{k}={v}").into_bytes();
    data.cli.env.iter().map(pair).collect()
}

/// The count of `strings` and the bytes they need with a NUL after each.
pub fn sizes(strings: &[Vec<u8>]) -> Result<(Size, Size), Error> {
    let bytes: usize = strings.iter().map(|s| s.len() + 1).sum();
    Ok((Size::try_from(strings.len())?, Size::try_from(bytes)?))
}

/// Writes `strings` NUL-terminated one after another from `buf`, and a pointer to each into
/// the array at `ptrs`.
pub fn write_strings(
    memory: &mut GuestMemory<'_>,
    strings: &[Vec<u8>],
    mut ptrs: GuestPtr<GuestPtr<u8>>,
    mut buf: GuestPtr<u8>,
) -> Result<(), Error> {
    for string in strings {
        memory.write(ptrs, buf)?;
        ptrs = ptrs.add(1)?;
        let len = u32::try_from(string.len())?;
        memory.copy_from_slice(string, buf.as_array(len))?;
        buf = buf.add(len)?;
        memory.write(buf, 0)?;
        buf = buf.add(1)?;
    }
    Ok(())
}

/// The fixed resolution of the two clocks; the CPU-time clocks do not exist (`EBADF`, as
/// wasmtime).
pub fn clock_res_get(id: Clockid) -> Result<Timestamp, Error> {
    match id {
        Clockid::Realtime | Clockid::Monotonic => Ok(RESOLUTION_NS),
        Clockid::ProcessCputimeId | Clockid::ThreadCputimeId => Err(Errno::Badf.into()),
    }
}

/// Reads a clock, ticking the virtual clock. Monotonic time starts at 0; wall time at the run's
/// start time.
pub fn clock_time_get(data: &mut StoreData, id: Clockid) -> Result<Timestamp, Error> {
    clock_res_get(id)?;
    match id {
        Clockid::Realtime => {
            let wall = data.clocks.wall_now()?;
            Ok(Timestamp::try_from(wall).map_err(|_| Errno::Overflow)?)
        }
        _ => Ok(data.clocks.monotonic_now()?),
    }
}

/// Fills `len` bytes at `buf` from the run's random stream.
pub fn random_get(
    data: &mut StoreData,
    memory: &mut GuestMemory<'_>,
    buf: GuestPtr<u8>,
    len: Size,
) -> Result<(), Error> {
    let buf = buf.as_array(len);
    // Straight into guest memory: the bounds are checked first, and no host buffer the size
    // of the request is needed. Only shared memories (which the engine disables) have no slice.
    match memory.as_slice_mut(buf)? {
        Some(slice) => data.random.fill(slice),
        None => {
            let mut bytes = vec![0; len as usize];
            data.random.fill(&mut bytes);
            memory.copy_from_slice(&bytes, buf)?;
        }
    }
    Ok(())
}

/// Ends the run with `code`; any 32-bit code is reported as it is.
pub fn exit(code: Exitcode) -> wiggle::error::Error {
    GuestExit(code).into()
}

/// Every socket call: no descriptor is a socket.
pub fn no_socket<T>(data: &StoreData, fd: Fd) -> Result<T, Error> {
    data.p1.get(fd)?;
    Err(Errno::Notsock.into())
}
