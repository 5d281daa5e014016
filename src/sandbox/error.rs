//! The engine's one public error: misuse by the caller. What a guest does is never an error; it
//! is an [`Outcome`](super::report::Outcome). Messages name things as the engine's API does
//! (`RunOptions::program_name`); a binding words them in its own names.

use std::path::PathBuf;

use super::ending::LimitExceeded;

/// Why the engine refused a call. Each variant maps to one stable error code in a binding.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SandboxError {
    /// The bytes are not a WebAssembly program that runs as a WASI command.
    InvalidWasm(String),
    /// The run options are malformed.
    InvalidOptions(InvalidOption),
    /// The engine itself failed (e.g. it could not be configured on this host).
    Internal(String),
    /// Compiling the bytes needs more than the compiler's bounds allow.
    CompileLimit(String),
    /// The call's budget ran out (a timeout) or the call was cancelled before the guest
    /// started: while compiling. A call that runs reports this as its outcome instead.
    Stopped(LimitExceeded),
}

impl std::fmt::Display for SandboxError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::InvalidWasm(msg) | Self::Internal(msg) | Self::CompileLimit(msg) => {
                f.write_str(msg)
            }
            Self::InvalidOptions(option) => write!(f, "{option}"),
            Self::Stopped(LimitExceeded::Timeout) => {
                f.write_str("compiling the program took longer than its time budget")
            }
            Self::Stopped(LimitExceeded::Cancelled) => {
                f.write_str("the call was cancelled while compiling")
            }
            Self::Stopped(limit) => write!(f, "{limit}"),
        }
    }
}

impl std::error::Error for SandboxError {}

/// What is wrong with the options of a run or a program.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum InvalidOption {
    /// An argument or the program name holds a NUL character, which a C guest cannot receive.
    NulInArgs(String),
    /// An environment variable's name is empty or holds `=` or NUL, so it could not round-trip
    /// through `NAME=value`.
    EnvName(String),
    /// The value of the environment variable of this name holds a NUL character.
    NulInEnvValue(String),
    /// The seeded files are malformed or too big: why.
    Files(String),
    /// A mount cannot be placed where it was asked to be: why.
    Mounts(String),
    /// The disk cache directory could be written by others, who could plant native code in it.
    CacheDir {
        /// The directory.
        dir: PathBuf,
        /// Who else could write it.
        problem: CacheDirProblem,
    },
}

/// Why a disk cache directory is refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CacheDirProblem {
    /// Another user (not root) owns it.
    OtherOwner,
    /// Users other than its owner may write it.
    WritableByOthers,
}

impl std::fmt::Display for InvalidOption {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::NulInArgs(arg) => write!(
                f,
                "args and program_name must not contain NUL characters: {arg:?}"
            ),
            Self::EnvName(name) => write!(
                f,
                "env names must be non-empty without '=' or NUL: {name:?}"
            ),
            Self::NulInEnvValue(name) => {
                write!(f, "env values must not contain NUL characters: {name:?}")
            }
            Self::Files(why) => write!(f, "files: {why}"),
            Self::Mounts(why) => write!(f, "mounts: {why}"),
            Self::CacheDir { dir, problem } => write!(f, "cache_dir {}{problem}", dir.display()),
        }
    }
}

impl std::error::Error for InvalidOption {}

impl std::fmt::Display for CacheDirProblem {
    /// Words that follow the directory's name.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Self::OtherOwner => " belongs to another user, who could plant native code in it",
            Self::WritableByOthers => {
                " is writable by other users, who could plant native code in it; make it \
                 writable by its owner only (chmod go-w)"
            }
        })
    }
}
