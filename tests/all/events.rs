//! Timed output events and the output listener, through the engine's Rust API.

use std::sync::{Arc, Mutex};

use hermetic_wasi::sandbox::config::OnOutput;
use hermetic_wasi::sandbox::wasi::stdio::{Channel, OutputEvent};
use hermetic_wasi::sandbox::{Outcome, RunOptions};

use crate::run;

fn event(channel: Channel, len: usize, time_ns: u64) -> OutputEvent {
    OutputEvent {
        channel,
        len,
        time_ns,
    }
}

#[test]
fn events_time_every_write_for_both_abis() {
    let options = RunOptions {
        events: true,
        ..RunOptions::default()
    };
    let want = vec![
        event(Channel::Stdout, 7, 0),
        event(Channel::Stderr, 7, 0),
        // "tick 2, " and "same time\n": two writes at one time, merged.
        event(Channel::Stdout, 18, 250_000_000),
        event(Channel::Stderr, 7, 1_250_000_000),
        event(Channel::Stdout, 5, 1_250_000_000),
    ];
    for name in ["ticks", "p1/ticks"] {
        let result = run(name, &options);
        assert_eq!(result.outcome, Outcome::Exited(0));
        assert_eq!(result.events.as_ref(), Some(&want), "{name}");
        assert_eq!(result.stdout, b"tick 1\ntick 2, same time\ndone\n");
    }
    assert_eq!(run("ticks", &RunOptions::default()).events, None);
}

#[test]
fn the_listener_hears_each_write_unmerged_and_changes_nothing() {
    let heard = Arc::new(Mutex::new(Vec::new()));
    let sink = Arc::clone(&heard);
    let options = RunOptions {
        on_output: Some(OnOutput(Arc::new(move |channel, bytes: &[u8], time_ns| {
            sink.lock().unwrap().push((
                channel,
                String::from_utf8_lossy(bytes).into_owned(),
                time_ns,
            ));
        }))),
        ..RunOptions::default()
    };
    let result = run("p1/ticks", &options);
    assert_eq!(result, run("p1/ticks", &RunOptions::default()));
    let heard = heard.lock().unwrap();
    let text = |channel, s: &str, t| (channel, s.to_owned(), t);
    // Both runs of `run` were heard, each write on its own.
    let once = vec![
        text(Channel::Stdout, "tick 1\n", 0),
        text(Channel::Stderr, "warn 1\n", 0),
        text(Channel::Stdout, "tick 2, ", 250_000_000),
        text(Channel::Stdout, "same time\n", 250_000_000),
        text(Channel::Stderr, "warn 2\n", 1_250_000_000),
        text(Channel::Stdout, "done\n", 1_250_000_000),
    ];
    assert_eq!(*heard, [once.clone(), once].concat());
}
