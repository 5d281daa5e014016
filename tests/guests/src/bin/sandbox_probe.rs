//! Asks for everything of the host that the sandbox must refuse or not have.
use wasip2::cli::{terminal_stderr, terminal_stdin, terminal_stdout};
use wasip2::filesystem::preopens;
use wasip2::sockets::network::IpAddressFamily;
use wasip2::sockets::{instance_network, ip_name_lookup, tcp_create_socket, udp_create_socket};

fn main() {
    println!("preopens: {}", preopens::get_directories().len());
    println!("terminal stdin: {}", terminal_stdin::get_terminal_stdin().is_some());
    println!("terminal stdout: {}", terminal_stdout::get_terminal_stdout().is_some());
    println!("terminal stderr: {}", terminal_stderr::get_terminal_stderr().is_some());
    let network = instance_network::instance_network();
    let tcp = tcp_create_socket::create_tcp_socket(IpAddressFamily::Ipv4).map(|_| ()).map_err(|e| e.name());
    println!("tcp: {tcp:?}");
    let udp = udp_create_socket::create_udp_socket(IpAddressFamily::Ipv6).map(|_| ()).map_err(|e| e.name());
    println!("udp: {udp:?}");
    let lookup = ip_name_lookup::resolve_addresses(&network, "example.com").map(|_| ()).map_err(|e| e.name());
    println!("lookup: {lookup:?}");
    match std::net::TcpStream::connect("127.0.0.1:80") {
        Ok(_) => println!("std connect: connected"),
        Err(e) => println!("std connect: {:?}", e.kind()),
    }
    match std::fs::read_to_string("/etc/hostname") {
        Ok(_) => println!("std read: read"),
        Err(e) => println!("std read: {:?}", e.kind()),
    }
}
