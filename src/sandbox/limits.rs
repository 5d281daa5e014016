//! The bounds of a run: memory, output and virtual time are checked where they are spent; fuel
//! is wasmtime's; the wall-clock timeout is an epoch watchdog. Each bound that is hit ends the
//! run with a [`LimitExceeded`] error that `report.rs` turns into that limit's outcome.

use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, OnceLock};
use std::thread::{self, Thread};
use std::time::{Duration, Instant};

use wasmtime::{Engine, ResourceLimiter, UpdateDeadline};

use super::ending::{HostOutOfMemory, LimitExceeded};
use super::sync::lock;

/// Caps the linear memories and tables of one store at a total number of bytes.
pub struct MemoryLimiter {
    limit: Option<u64>,
    used: u64,
    /// The last growth granted, taken back if wasmtime then fails it.
    granted: u64,
    /// Whether a growth went past the limit.
    exceeded: bool,
}

impl MemoryLimiter {
    /// A limiter allowing `limit` bytes in total (`None`: unbounded).
    pub fn new(limit: Option<u64>) -> Self {
        Self {
            limit,
            used: 0,
            granted: 0,
            exceeded: false,
        }
    }

    /// Whether a growth went past the limit. The growth of the GC heap that holds exception
    /// objects is one whose error wasmtime does not pass on: the guest traps with "GC heap out
    /// of memory" instead, and this says that the limit was the cause.
    pub fn exceeded(&self) -> bool {
        self.exceeded
    }

    /// A growth to `desired` units of `unit_bytes` each: refused as wasm says (`-1` to the
    /// guest, nothing counted) past the declared `maximum`; otherwise allowed, or the run ends.
    /// A growth past the limit is never left for the guest to handle, so the outcome says
    /// [`Outcome::MemoryExceeded`](super::Outcome::MemoryExceeded) even if the guest would
    /// abort.
    fn grow(
        &mut self,
        current: usize,
        desired: usize,
        maximum: Option<usize>,
        unit_bytes: u64,
    ) -> wasmtime::Result<bool> {
        if maximum.is_some_and(|maximum| desired > maximum) {
            return Ok(false);
        }
        let bytes = (desired.saturating_sub(current) as u64).saturating_mul(unit_bytes);
        let used = self.used.saturating_add(bytes);
        if self.limit.is_some_and(|limit| used > limit) {
            self.exceeded = true;
            return Err(LimitExceeded::Memory.into());
        }
        self.used = used;
        self.granted = bytes;
        Ok(true)
    }

    /// A growth this limiter granted failed in wasmtime: within every cap (`capped`), so only
    /// the host can have refused it. The run ends with [`HostOutOfMemory`].
    fn grow_failed(&mut self) -> wasmtime::Result<()> {
        self.used -= self.granted;
        self.granted = 0;
        Err(HostOutOfMemory.into())
    }
}

/// What a table element costs: wasmtime stores one pointer per element.
const TABLE_ELEMENT_BYTES: u64 = 8;

/// The most elements a table may have, on every engine: V8's limit (10 million), far above what
/// real programs declare (a large C program's function table has tens of thousands). The
/// pooled engine's table slots hold this many, so no engine refuses a growth that another
/// would grant.
pub const MAX_TABLE_ELEMENTS: usize = 10_000_000;

/// The most bytes a linear memory may have, on every engine: 4 GiB, all a 32-bit memory can
/// address; a 64-bit memory is held to it too. The pooled engine's memory slots are this big.
pub const MAX_MEMORY_BYTES: usize = 1 << 32;

/// A memory's or table's maximum: its own, capped by `cap` at creation and at every growth.
/// The cap is the same on every engine, and a run's outcome never depends on which engine ran
/// it (the pool, the on-demand fallback when the pool is full, or the fuel engine): a growth
/// past the cap is refused as wasm says (`-1`), and a program declaring a larger minimum fails
/// to instantiate, everywhere. (wasmtime's limiter cannot tell creation from a growth of an
/// empty memory or table, so creation is capped too.)
fn capped(maximum: Option<usize>, cap: usize) -> Option<usize> {
    Some(maximum.map_or(cap, |maximum| maximum.min(cap)))
}

/// The most core instances a run may create: what the pool holds at once.
pub const MAX_INSTANCES: usize = 1000;

/// The most linear memories a run may create. The on-demand engine reserves 4 GiB of address
/// space (no memory) for every memory, even an empty one, so this bounds a run's reservation
/// at about 400 GiB; without it, 10,000 `(memory 0)` took 40 TiB and made other runs fail.
pub const MAX_MEMORIES: usize = 100;

/// The most tables a run may create.
pub const MAX_TABLES: usize = 1000;

impl ResourceLimiter for MemoryLimiter {
    fn instances(&self) -> usize {
        MAX_INSTANCES
    }

    fn memories(&self) -> usize {
        MAX_MEMORIES
    }

    fn tables(&self) -> usize {
        MAX_TABLES
    }

    fn memory_growing(
        &mut self,
        current: usize,
        desired: usize,
        maximum: Option<usize>,
    ) -> wasmtime::Result<bool> {
        let maximum = capped(maximum, MAX_MEMORY_BYTES);
        self.grow(current, desired, maximum, 1)
    }

    fn memory_grow_failed(&mut self, _error: wasmtime::Error) -> wasmtime::Result<()> {
        self.grow_failed()
    }

    fn table_growing(
        &mut self,
        current: usize,
        desired: usize,
        maximum: Option<usize>,
    ) -> wasmtime::Result<bool> {
        let maximum = capped(maximum, MAX_TABLE_ELEMENTS);
        self.grow(current, desired, maximum, TABLE_ELEMENT_BYTES)
    }

    fn table_grow_failed(&mut self, _error: wasmtime::Error) -> wasmtime::Result<()> {
        self.grow_failed()
    }
}

/// How often the watchdog advances the engines' epochs while runs are active.
const TICK: Duration = Duration::from_millis(2);

/// How many ticks the watchdog goes on after the last run ends before it parks: in a loop of
/// short runs it is then never parked between two, and starting a run costs no system call
/// to wake it.
const LINGER_TICKS: u32 = 5;

/// The one thread that advances the epoch of every engine while at least one run is active,
/// and sleeps otherwise.
struct Ticker {
    engines: Mutex<Vec<Engine>>,
    active: AtomicUsize,
    thread: OnceLock<Thread>,
}

static TICKER: OnceLock<Arc<Ticker>> = OnceLock::new();

/// Has the watchdog thread tick `engine`'s epoch while runs are active; the first call starts
/// the thread. Called once per engine, when it is built.
pub fn watch_engine(engine: &Engine) -> std::io::Result<()> {
    static STARTED: Mutex<bool> = Mutex::new(false);
    let mut started = lock(&STARTED);
    if !*started {
        let ticker = Arc::new(Ticker {
            engines: Mutex::new(Vec::new()),
            active: AtomicUsize::new(0),
            thread: OnceLock::new(),
        });
        let for_thread = Arc::clone(&ticker);
        let handle = thread::Builder::new()
            .name("hermetic-wasi-epoch".into())
            .spawn(move || tick(&for_thread))?;
        // The thread parks until a run starts, so it may start before `thread` is set.
        let _ = ticker.thread.set(handle.thread().clone());
        let _ = TICKER.set(ticker);
        *started = true;
    }
    if let Some(ticker) = TICKER.get() {
        lock(&ticker.engines).push(engine.clone());
    }
    Ok(())
}

#[allow(
    clippy::disallowed_methods,
    reason = "the watchdog measures real time, never the guest"
)]
fn tick(ticker: &Ticker) {
    let mut idle = 0;
    loop {
        if ticker.active.load(Ordering::Acquire) > 0 {
            idle = 0;
        } else if idle < LINGER_TICKS {
            idle += 1;
        } else {
            thread::park();
            continue;
        }
        thread::sleep(TICK);
        for engine in lock(&ticker.engines).iter() {
            engine.increment_epoch();
        }
    }
}

/// Keeps the epoch ticking while a run is active.
struct ActiveRun;

impl ActiveRun {
    fn start() -> Self {
        if let Some(ticker) = TICKER.get()
            && ticker.active.fetch_add(1, Ordering::AcqRel) == 0
            && let Some(thread) = ticker.thread.get()
        {
            thread.unpark();
        }
        ActiveRun
    }
}

impl Drop for ActiveRun {
    fn drop(&mut self) {
        if let Some(ticker) = TICKER.get() {
            ticker.active.fetch_sub(1, Ordering::AcqRel);
        }
    }
}

/// The wall-clock budget of one call and the flag that cancels it. A call that compiles before
/// it runs spends one budget on both, from the moment the call began, so [`Limits::timeout_ms`](super::Limits::timeout_ms)
/// bounds the whole call, whatever the bytes.
#[derive(Debug, Clone, Default)]
pub struct Budget {
    deadline: Option<Instant>,
    cancel: Arc<AtomicBool>,
}

impl Budget {
    /// A budget of `timeout_ms` from now (`None`: no time bound), cancelled by `cancel`.
    #[allow(
        clippy::disallowed_methods,
        reason = "the timeout is the one wall-clock bound"
    )]
    pub fn new(timeout_ms: Option<u64>, cancel: Arc<AtomicBool>) -> Self {
        let deadline =
            timeout_ms.and_then(|ms| Instant::now().checked_add(Duration::from_millis(ms)));
        Self { deadline, cancel }
    }

    /// Whether the budget is spent: cancelled, or past its deadline.
    #[allow(
        clippy::disallowed_methods,
        reason = "the timeout is the one wall-clock bound"
    )]
    pub fn spent(&self) -> Option<LimitExceeded> {
        if self.cancel.load(Ordering::Relaxed) {
            return Some(LimitExceeded::Cancelled);
        }
        self.deadline
            .is_some_and(|deadline| Instant::now() >= deadline)
            .then_some(LimitExceeded::Timeout)
    }
}

/// Ends a run that outlives its wall-clock budget or is cancelled: checked at each epoch tick
/// inside the guest, so it fires even in a loop that never calls the host.
pub struct Watchdog {
    budget: Budget,
    _active: ActiveRun,
}

impl Watchdog {
    /// A watchdog for a run spending `budget`.
    pub fn new(budget: Budget) -> Self {
        Self {
            budget,
            _active: ActiveRun::start(),
        }
    }

    /// What the guest's epoch callback does: end the run, or let it go on for another tick.
    pub fn check(&self) -> wasmtime::Result<UpdateDeadline> {
        match self.budget.spent() {
            Some(limit) => Err(limit.into()),
            None => Ok(UpdateDeadline::Continue(1)),
        }
    }
}
