//! `wasi:cli/environment`, `exit` and `terminal-*`: what the guest is told about its invocation.
//!
//! Arguments and environment are exactly what the caller gave; nothing of the host process leaks.
//! Nothing is a terminal. Exiting unwinds the guest with a [`GuestExit`] error that `report.rs`
//! turns into the `exited` outcome: an exit is a normal end, never a trap.

use wasmtime::component::Resource;

use crate::sandbox::bindings::wasi::cli::{
    environment, exit, terminal_input, terminal_output, terminal_stderr, terminal_stdin,
    terminal_stdout,
};
use crate::sandbox::ending::GuestExit;
use crate::sandbox::store::StoreData;

impl environment::Host for StoreData {
    fn get_environment(&mut self) -> wasmtime::Result<Vec<(String, String)>> {
        Ok(self.cli.env.clone())
    }

    fn get_arguments(&mut self) -> wasmtime::Result<Vec<String>> {
        Ok(self.cli.args.clone())
    }

    fn initial_cwd(&mut self) -> wasmtime::Result<Option<String>> {
        Ok(None)
    }
}

impl exit::Host for StoreData {
    fn exit(&mut self, status: Result<(), ()>) -> wasmtime::Result<()> {
        let code = if status.is_ok() { 0 } else { 1 };
        Err(GuestExit(code).into())
    }

    fn exit_with_code(&mut self, status_code: u8) -> wasmtime::Result<()> {
        Err(GuestExit(u32::from(status_code)).into())
    }
}

// Nothing is a terminal, so no terminal resource is ever created; the drops exist only because
// the interfaces declare the resources.
impl terminal_input::Host for StoreData {}
impl terminal_output::Host for StoreData {}

impl terminal_input::HostTerminalInput for StoreData {
    fn drop(&mut self, rep: Resource<terminal_input::TerminalInput>) -> wasmtime::Result<()> {
        Ok(self.table.delete(rep).map(|_| ())?)
    }
}

impl terminal_output::HostTerminalOutput for StoreData {
    fn drop(&mut self, rep: Resource<terminal_output::TerminalOutput>) -> wasmtime::Result<()> {
        Ok(self.table.delete(rep).map(|_| ())?)
    }
}

impl terminal_stdin::Host for StoreData {
    fn get_terminal_stdin(
        &mut self,
    ) -> wasmtime::Result<Option<Resource<terminal_input::TerminalInput>>> {
        Ok(None)
    }
}

impl terminal_stdout::Host for StoreData {
    fn get_terminal_stdout(
        &mut self,
    ) -> wasmtime::Result<Option<Resource<terminal_output::TerminalOutput>>> {
        Ok(None)
    }
}

impl terminal_stderr::Host for StoreData {
    fn get_terminal_stderr(
        &mut self,
    ) -> wasmtime::Result<Option<Resource<terminal_output::TerminalOutput>>> {
        Ok(None)
    }
}
