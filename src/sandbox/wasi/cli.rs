//! What a guest is told about its invocation, and its standard streams: exactly the caller's
//! arguments, environment and input; nothing of the host process.

use super::stdin::Stdin;
use super::stdio::OutputSink;

/// The invocation and standard streams of one run.
pub struct Cli {
    /// `argv`, starting with the program name.
    pub args: Vec<String>,
    /// Environment variables, in the caller's order.
    pub env: Vec<(String, String)>,
    /// Standard input.
    pub stdin: Stdin,
    /// Standard output and error capture.
    pub output: OutputSink,
}
