//! Polls a far timer together with stdin (ready at once), checks another timer's readiness,
//! drops both timers, then polls nothing: the timers polled on the way must not move the clock.
use wasip2::clocks::monotonic_clock;
use wasip2::io::poll;

fn main() {
    let far = monotonic_clock::subscribe_duration(7_200_000_000_000);
    let stdin = wasip2::cli::stdin::get_stdin();
    let readable = stdin.subscribe();
    println!("ready: {:?}", poll::poll(&[&far, &readable]));
    let near = monotonic_clock::subscribe_duration(1_000_000_000);
    println!("near timer ready: {}", near.ready());
    drop((far, near, readable));
    println!("now: {}", monotonic_clock::now());
    poll::poll(&[]);
}
