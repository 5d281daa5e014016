//! Exits as its first argument says: `return-err`, `exit-ok`, `exit-err`, `std <n>` (through
//! Rust's std), or `code <n>` (through wasi:cli/exit.exit-with-code).
use wasip2::cli::exit;

fn main() -> Result<(), ()> {
    let args: Vec<String> = std::env::args().collect();
    let n = || args[2].parse::<u8>().unwrap();
    println!("exiting with {}", args[1..].join(" "));
    match args[1].as_str() {
        "return-err" => return Err(()),
        "exit-ok" => exit::exit(Ok(())),
        "exit-err" => exit::exit(Err(())),
        "std" => std::process::exit(n().into()),
        "code" => exit::exit_with_code(n()),
        other => panic!("unknown mode {other}"),
    }
    println!("still running after exit");
    Ok(())
}
