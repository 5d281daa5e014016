//! The one WASI core both ABIs share: the run's invocation and standard streams, its clocks,
//! its random stream and its filesystem. `host/` (WASI 0.2) and `p1/` (preview1) are adapters
//! over it: arguments in, error codes out; what a call does is decided here (or in the vfs).

pub mod cli;
pub mod clocks;
pub mod fs;
pub mod random;
pub mod stdin;
pub mod stdio;
