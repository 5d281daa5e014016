//! A real-world component nobody here wrote: CPython 3.14 built by componentize-py
//! (`tests/guests/python/`), fed Python source on stdin.

use hermetic_wasi::sandbox::{Outcome, RunOptions, RunResult};

use crate::{assert_result, run};

fn python(source: &str, seed: u64) -> RunResult {
    let options = RunOptions {
        stdin: source.as_bytes().to_vec(),
        seed,
        ..Default::default()
    };
    run("python", &options)
}

#[test]
fn python_sleep_clock_random() {
    let source = "\
import datetime, random, sys, time
print('python', sys.version.split()[0])
start = time.monotonic()
time.sleep(1.5)
print('slept', time.monotonic() - start)
print(datetime.datetime.now(datetime.timezone.utc).isoformat())
print(random.random())
";
    // The sleep is 1.5 s of virtual time; each clock read ticks 1 µs (see clock.rs): the first
    // monotonic read returns 0, the second 1.500001 s, and the wall clock read comes one tick later.
    let expected = |random: &str| {
        format!("python 3.14.0\nslept 1.500001\n2009-11-10T23:00:01.500002+00:00\n{random}\n")
    };
    let seed_1 = python(source, 1);
    assert_result(
        &seed_1,
        Outcome::Exited(0),
        &expected("0.40513112086894254"),
        "",
    );
    assert_eq!(seed_1.virtual_time_ns, 1_500_003_000);
    // Python seeds `random` from os.urandom, that is from the run's seed.
    let seed_2 = python(source, 2);
    assert_result(
        &seed_2,
        Outcome::Exited(0),
        &expected("0.5470038741532401"),
        "",
    );
}

#[test]
fn python_uncaught_exception() {
    let result = python(
        "print('before')\ndef f():\n    raise ValueError('bad value')\nf()\n",
        0,
    );
    let traceback = "Traceback (most recent call last):\n  \
                     File \"/0/app.py\", line 28, in run\n  \
                     File \"<stdin>\", line 4, in <module>\n  \
                     File \"<stdin>\", line 3, in f\n\
                     ValueError: bad value\n";
    assert_result(&result, Outcome::Exited(1), "before\n", traceback);
}

#[test]
fn python_sys_exit() {
    let result = python("import sys\nprint('bye')\nsys.exit(3)\n", 0);
    assert_result(&result, Outcome::Exited(3), "bye\n", "");
}
