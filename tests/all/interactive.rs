//! Interactive stdin through the engine's Rust API: chunks pulled while the run goes on.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use hermetic_wasi::sandbox::config::InteractiveStdin;
use hermetic_wasi::sandbox::limits::Budget;
use hermetic_wasi::sandbox::wasi::stdin::{Feed, Stdin};
use hermetic_wasi::sandbox::{Limits, Outcome, RunOptions};

use crate::program;

#[allow(
    clippy::disallowed_methods,
    reason = "the host answers after a real delay, as a user would"
)]
/// Options whose stdin answers each ask with the next of `chunks` (`None`: the end), from
/// another thread after `delay`, as a host's event loop would.
fn fed(chunks: Vec<Option<&'static str>>, delay: Duration) -> RunOptions {
    let chunks = Arc::new(Mutex::new(chunks.into_iter()));
    let feed: Arc<Mutex<Option<Feed>>> = Arc::default();
    let answers = Arc::clone(&feed);
    let (stdin, feed_end) = Stdin::interactive(Arc::new(move || {
        let next = chunks.lock().unwrap().next().flatten();
        let feed = answers.lock().unwrap().clone().expect("fed");
        std::thread::spawn(move || {
            std::thread::sleep(delay);
            match next {
                Some(chunk) => feed.supply(chunk.as_bytes().to_vec()),
                None => feed.end(),
            }
        });
    }));
    *feed.lock().unwrap() = Some(feed_end);
    RunOptions {
        interactive_stdin: Some(InteractiveStdin(stdin)),
        ..RunOptions::default()
    }
}

#[test]
fn each_line_is_answered_as_it_arrives_for_both_abis() {
    for name in ["p1/lines", "lines"] {
        let chunks = vec![
            Some("one\n"),
            Some("tw"),
            Some("o\nthree"),
            Some("\n"),
            None,
        ];
        let options = fed(chunks, Duration::from_millis(2));
        let result = program(name).run(&options).unwrap();
        assert_eq!(result.outcome, Outcome::Exited(0), "{name}");
        assert_eq!(
            String::from_utf8(result.stdout).unwrap(),
            "> one\n> two\n> three\nbye\n",
            "{name}"
        );
        // Waiting for input moves no virtual time.
        assert_eq!(result.virtual_time_ns, 0, "{name}");
    }
}

#[test]
fn an_empty_chunk_answers_and_the_guest_asks_again() {
    let options = fed(vec![Some(""), Some("x\n"), None], Duration::ZERO);
    let result = program("lines").run(&options).unwrap();
    assert_eq!(result.stdout, b"> x\nbye\n");
}

#[test]
#[allow(
    clippy::disallowed_methods,
    reason = "checks the wall-clock budget and cancels after a real delay"
)]
fn waiting_for_input_ends_with_the_budget() {
    // Never answered: the run waits until its timeout, then ends as a timeout.
    let (stdin, _feed) = Stdin::interactive(Arc::new(|| {}));
    let options = RunOptions {
        interactive_stdin: Some(InteractiveStdin(stdin)),
        limits: Limits {
            timeout_ms: Some(100),
            ..Limits::default()
        },
        ..RunOptions::default()
    };
    let began = Instant::now();
    let result = program("p1/lines").run(&options).unwrap();
    assert_eq!(result.outcome, Outcome::Timeout);
    assert!(
        began.elapsed() < Duration::from_secs(5),
        "{:?}",
        began.elapsed()
    );
    // Cancelled while waiting.
    let (stdin, _feed) = Stdin::interactive(Arc::new(|| {}));
    let options = RunOptions {
        interactive_stdin: Some(InteractiveStdin(stdin)),
        ..RunOptions::default()
    };
    let cancel = Arc::new(AtomicBool::new(false));
    let setter = Arc::clone(&cancel);
    std::thread::spawn(move || {
        std::thread::sleep(Duration::from_millis(50));
        setter.store(true, Ordering::Relaxed);
    });
    let result = program("lines")
        .run_within(&options, &Budget::new(None, cancel))
        .unwrap();
    assert_eq!(result.outcome, Outcome::Cancelled);
}
