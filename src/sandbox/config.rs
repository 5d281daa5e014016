//! Plain run options, their defaults, and their validation. A binding converts its values into
//! these; the engine reads only these.

use super::error::{InvalidOption, SandboxError};
use super::mount::Mount;
use super::vfs::{Entry, Vfs};
use super::wasi::stdin::Stdin;
use super::wasi::stdio::OutputListener;

/// `argv[0]` when the caller names no program.
pub const DEFAULT_PROGRAM_NAME: &str = "main";

/// The wall-clock time at which every run starts unless told otherwise:
/// 2009-11-10T23:00:00Z, in milliseconds since the Unix epoch (the Go playground's epoch).
pub const DEFAULT_START_TIME_MS: u64 = 1_257_894_000_000;

/// Default cap on the linear memories and tables of a run: 256 MiB.
pub const DEFAULT_MEMORY_BYTES: u64 = 256 << 20;

/// Default cap on stdout and stderr together: 16 MiB.
pub const DEFAULT_OUTPUT_BYTES: u64 = 16 << 20;

/// Default cap on how far the virtual clock may move: one hour.
pub const DEFAULT_VIRTUAL_TIME_NS: u64 = 3_600 * 1_000_000_000;

/// Default wall-clock budget of a call: 10 seconds, compiling included.
pub const DEFAULT_TIMEOUT_MS: u64 = 10_000;

/// Default wall-clock budget of compiling a `Program` (an explicit step, for programs run many
/// times, so a larger one): 60 seconds, ten times what the 19 MB CPython component takes.
pub const DEFAULT_COMPILE_TIMEOUT_MS: u64 = 60_000;

/// Default cap on the in-memory filesystem: 64 MiB, counted as the `vfs` module counts (file
/// and symlink bytes plus a fixed overhead per inode and per directory entry). A quarter of the
/// default memory cap because the host may hold up to about three times the counted bytes for
/// a run: file buffers grow by doubling, and the result exports a copy of the tree.
pub const DEFAULT_FS_BYTES: u64 = 64 << 20;

/// The bounds of one run. `None` lifts a bound. Each bound that is hit ends the run with its own
/// outcome, keeping the output written until then.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Limits {
    /// Deterministic instruction budget (wasmtime fuel). Off by default: metering costs speed.
    pub fuel: Option<u64>,
    /// Wall-clock budget of the run, in milliseconds. The only limit that depends on the machine.
    pub timeout_ms: Option<u64>,
    /// Linear memories plus tables (a pointer per element), in bytes.
    pub memory_bytes: Option<u64>,
    /// stdout and stderr together, in bytes; output is cut at exactly this size.
    pub output_bytes: Option<u64>,
    /// How far the virtual clock may move, in nanoseconds.
    pub virtual_time_ns: Option<u64>,
    /// The in-memory filesystem, in bytes as the `vfs` module counts them; the seeded `files`
    /// count toward it. Unlike the other limits, reaching it does not end the run: the write or
    /// create that would pass it fails with the WASI error `insufficient-space` (`ENOSPC`),
    /// having changed nothing, and the guest carries on.
    pub fs_bytes: Option<u64>,
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            fuel: None,
            timeout_ms: Some(DEFAULT_TIMEOUT_MS),
            memory_bytes: Some(DEFAULT_MEMORY_BYTES),
            output_bytes: Some(DEFAULT_OUTPUT_BYTES),
            virtual_time_ns: Some(DEFAULT_VIRTUAL_TIME_NS),
            fs_bytes: Some(DEFAULT_FS_BYTES),
        }
    }
}

/// Everything a run depends on. Two runs with equal options and the same program give
/// byte-identical results (the wall-clock timeout aside, which only decides whether a run is
/// cut short).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RunOptions {
    /// Arguments after `argv[0]`.
    pub args: Vec<String>,
    /// `argv[0]`.
    pub program_name: String,
    /// Environment variables, in order. The host's environment is never visible.
    pub env: Vec<(String, String)>,
    /// The bytes on standard input, followed by end-of-stream.
    pub stdin: Vec<u8>,
    /// Seed of the run's random stream.
    pub seed: u64,
    /// The wall-clock time at the start of the run, in milliseconds since the Unix epoch.
    pub start_time_ms: u64,
    /// The filesystem the guest sees under its one preopened directory, `/`: paths relative to
    /// the root (`"data/in.txt"`), parents created as needed. A run's
    /// [`RunResult::files`](super::RunResult::files) has the same form, so it can be passed
    /// back here to continue from where a run left off. `None` preopens nothing: the guest
    /// sees no filesystem at all (as a WASI runtime given no directory; the WASI test suite
    /// expects this of tests without a fixture); `Some(vec![])` is an empty root.
    pub files: Option<Vec<(String, Entry)>>,
    /// Read-only trees placed at these paths (relative to the root, like `files`), after
    /// `files`: shared, not copied, not charged to `limits.fs_bytes` and not exported (see
    /// `vfs/mount.rs`). A mount gives the guest a filesystem even when `files` is `None`.
    pub mounts: Vec<(String, Mount)>,
    /// The bounds of the run.
    pub limits: Limits,
    /// Whether the result keeps every write with its virtual time
    /// ([`RunResult::events`](super::RunResult::events)).
    pub events: bool,
    /// Told of every write as it happens; it changes nothing of the run or its result.
    pub on_output: Option<OnOutput>,
    /// Interactive standard input, fed while the run goes on; replaces `stdin`.
    pub interactive_stdin: Option<InteractiveStdin>,
}

/// An interactive [`Stdin`] as an option. Two are equal when they are the same input.
#[derive(Clone)]
pub struct InteractiveStdin(pub Stdin);

impl PartialEq for InteractiveStdin {
    fn eq(&self, other: &Self) -> bool {
        self.0.same(&other.0)
    }
}

impl Eq for InteractiveStdin {}

impl std::fmt::Debug for InteractiveStdin {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("InteractiveStdin")
    }
}

/// An [`OutputListener`] as an option. Two are equal when they are the same listener.
#[derive(Clone)]
pub struct OnOutput(pub OutputListener);

impl PartialEq for OnOutput {
    fn eq(&self, other: &Self) -> bool {
        std::sync::Arc::ptr_eq(&self.0, &other.0)
    }
}

impl Eq for OnOutput {}

impl std::fmt::Debug for OnOutput {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("OnOutput")
    }
}

impl Default for RunOptions {
    fn default() -> Self {
        Self {
            args: Vec::new(),
            program_name: DEFAULT_PROGRAM_NAME.to_owned(),
            env: Vec::new(),
            stdin: Vec::new(),
            seed: 0,
            start_time_ms: DEFAULT_START_TIME_MS,
            files: None,
            mounts: Vec::new(),
            limits: Limits::default(),
            events: false,
            on_output: None,
            interactive_stdin: None,
        }
    }
}

impl RunOptions {
    /// Checks what the types alone cannot: strings a C guest could not receive intact, and env
    /// names that could not round-trip through `NAME=value`. `files` is checked when the run
    /// builds its filesystem (see [`RunOptions::files`]), so that a run parses it only once.
    /// Any start time works: file timestamps saturate in the year 2554, and a preview1 wall
    /// clock read past it is `EOVERFLOW`.
    pub fn validate(&self) -> Result<(), SandboxError> {
        let invalid = |option| Err(SandboxError::InvalidOptions(option));
        if let Some(arg) = std::iter::once(&self.program_name)
            .chain(&self.args)
            .find(|a| a.contains('\0'))
        {
            return invalid(InvalidOption::NulInArgs(arg.clone()));
        }
        for (name, value) in &self.env {
            if name.is_empty() || name.contains(['=', '\0']) {
                return invalid(InvalidOption::EnvName(name.clone()));
            }
            if value.contains('\0') {
                return invalid(InvalidOption::NulInEnvValue(name.clone()));
            }
        }
        Ok(())
    }

    /// The wall-clock time at the start of the run, in nanoseconds since the Unix epoch.
    pub fn wall_start_ns(&self) -> u128 {
        u128::from(self.start_time_ms) * 1_000_000
    }

    /// The run's filesystem, built from `files` under `limits.fs_bytes`, every timestamp at the
    /// start time. A malformed `files` is [`InvalidOption::Files`].
    pub fn filesystem(&self) -> Result<Vfs, SandboxError> {
        // The options are borrowed for every run of them, so the seed is cloned: one copy of
        // the seeded bytes per run, the price of running the same options many times.
        // Nothing is copied when `files` is empty, as in a plain run.
        let limit = self.limits.fs_bytes.unwrap_or(u64::MAX);
        let now = self.start_time_ms.saturating_mul(1_000_000);
        let mut vfs = Vfs::new(self.files.clone().unwrap_or_default(), limit, now)
            .map_err(|e| SandboxError::InvalidOptions(InvalidOption::Files(e.to_string())))?;
        for (path, mount) in &self.mounts {
            vfs.mount(path, mount.entries(), now)
                .map_err(|e| SandboxError::InvalidOptions(InvalidOption::Mounts(e.to_string())))?;
        }
        Ok(vfs)
    }

    /// Whether the guest has a filesystem: `files` or any mount.
    pub fn has_filesystem(&self) -> bool {
        self.files.is_some() || !self.mounts.is_empty()
    }

    /// `argv` as the guest sees it: the program name, then the arguments.
    pub fn argv(&self) -> Vec<String> {
        std::iter::once(self.program_name.clone())
            .chain(self.args.iter().cloned())
            .collect()
    }
}
