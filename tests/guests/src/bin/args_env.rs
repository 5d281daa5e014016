//! Prints argv and the environment, one entry per line, in the order the guest sees them.
fn main() {
    for (i, arg) in std::env::args().enumerate() {
        println!("arg[{i}]={arg}");
    }
    for (name, value) in std::env::vars() {
        println!("env {name}={value}");
    }
    println!("cwd={:?}", std::env::current_dir().ok());
}
