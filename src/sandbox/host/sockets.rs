//! `wasi:sockets/*`: linked so every command component instantiates, and every operation denied.
//!
//! The one resource a guest can obtain is the `network` handle of `instance-network`, which grants
//! nothing: creating a TCP or UDP socket and resolving a name all fail with `access-denied`. The
//! socket and stream resources can therefore never exist, and the methods on them (required by
//! the interfaces) are unreachable: they trap rather than pretend to work.

use wasmtime::component::Resource;
use wasmtime_wasi_io::poll::DynPollable;
use wasmtime_wasi_io::streams::{DynInputStream, DynOutputStream};

use crate::sandbox::bindings::wasi::sockets::network::{
    Error, ErrorCode, IpAddressFamily, IpSocketAddress,
};
use crate::sandbox::bindings::wasi::sockets::{
    instance_network, ip_name_lookup, network, tcp, tcp_create_socket, udp, udp_create_socket,
};
use crate::sandbox::store::StoreData;

/// The `network` resource: a capability to nothing.
pub struct Network;

fn no_socket<T>() -> wasmtime::Result<T> {
    wasmtime::bail!("no socket can exist in the sandbox")
}

/// Implements methods of a resource that can never be created, as traps.
macro_rules! never_created {
    ($resource:ty { $(fn $name:ident($($arg:ty),*) -> $ret:ty;)* }) => {
        $(fn $name(&mut self, _: Resource<$resource>, $(_: $arg),*) -> wasmtime::Result<$ret> {
            no_socket()
        })*
    };
}

impl network::Host for StoreData {
    fn network_error_code(&mut self, _: Resource<Error>) -> wasmtime::Result<Option<ErrorCode>> {
        Ok(None)
    }
}

impl network::HostNetwork for StoreData {
    fn drop(&mut self, rep: Resource<Network>) -> wasmtime::Result<()> {
        Ok(self.table.delete(rep).map(|_| ())?)
    }
}

impl instance_network::Host for StoreData {
    fn instance_network(&mut self) -> wasmtime::Result<Resource<Network>> {
        Ok(self.table.push(Network)?)
    }
}

impl ip_name_lookup::Host for StoreData {
    fn resolve_addresses(
        &mut self,
        _: Resource<Network>,
        _: String,
    ) -> wasmtime::Result<Result<Resource<ip_name_lookup::ResolveAddressStream>, ErrorCode>> {
        Ok(Err(ErrorCode::AccessDenied))
    }
}

impl ip_name_lookup::HostResolveAddressStream for StoreData {
    never_created!(ip_name_lookup::ResolveAddressStream {
        fn resolve_next_address() -> Result<Option<network::IpAddress>, ErrorCode>;
        fn subscribe() -> Resource<DynPollable>;
        fn drop() -> ();
    });
}

impl tcp_create_socket::Host for StoreData {
    fn create_tcp_socket(
        &mut self,
        _: IpAddressFamily,
    ) -> wasmtime::Result<Result<Resource<tcp::TcpSocket>, ErrorCode>> {
        Ok(Err(ErrorCode::AccessDenied))
    }
}

impl udp_create_socket::Host for StoreData {
    fn create_udp_socket(
        &mut self,
        _: IpAddressFamily,
    ) -> wasmtime::Result<Result<Resource<udp::UdpSocket>, ErrorCode>> {
        Ok(Err(ErrorCode::AccessDenied))
    }
}

type Streams = (Resource<DynInputStream>, Resource<DynOutputStream>);

impl tcp::Host for StoreData {}

impl tcp::HostTcpSocket for StoreData {
    never_created!(tcp::TcpSocket {
        fn start_bind(Resource<Network>, IpSocketAddress) -> Result<(), ErrorCode>;
        fn finish_bind() -> Result<(), ErrorCode>;
        fn start_connect(Resource<Network>, IpSocketAddress) -> Result<(), ErrorCode>;
        fn finish_connect() -> Result<Streams, ErrorCode>;
        fn start_listen() -> Result<(), ErrorCode>;
        fn finish_listen() -> Result<(), ErrorCode>;
        fn accept() -> Result<(Resource<tcp::TcpSocket>, Resource<DynInputStream>, Resource<DynOutputStream>), ErrorCode>;
        fn local_address() -> Result<IpSocketAddress, ErrorCode>;
        fn remote_address() -> Result<IpSocketAddress, ErrorCode>;
        fn is_listening() -> bool;
        fn address_family() -> IpAddressFamily;
        fn set_listen_backlog_size(u64) -> Result<(), ErrorCode>;
        fn keep_alive_enabled() -> Result<bool, ErrorCode>;
        fn set_keep_alive_enabled(bool) -> Result<(), ErrorCode>;
        fn keep_alive_idle_time() -> Result<u64, ErrorCode>;
        fn set_keep_alive_idle_time(u64) -> Result<(), ErrorCode>;
        fn keep_alive_interval() -> Result<u64, ErrorCode>;
        fn set_keep_alive_interval(u64) -> Result<(), ErrorCode>;
        fn keep_alive_count() -> Result<u32, ErrorCode>;
        fn set_keep_alive_count(u32) -> Result<(), ErrorCode>;
        fn hop_limit() -> Result<u8, ErrorCode>;
        fn set_hop_limit(u8) -> Result<(), ErrorCode>;
        fn receive_buffer_size() -> Result<u64, ErrorCode>;
        fn set_receive_buffer_size(u64) -> Result<(), ErrorCode>;
        fn send_buffer_size() -> Result<u64, ErrorCode>;
        fn set_send_buffer_size(u64) -> Result<(), ErrorCode>;
        fn subscribe() -> Resource<DynPollable>;
        fn shutdown(tcp::ShutdownType) -> Result<(), ErrorCode>;
        fn drop() -> ();
    });
}

impl udp::Host for StoreData {}

impl udp::HostUdpSocket for StoreData {
    never_created!(udp::UdpSocket {
        fn start_bind(Resource<Network>, IpSocketAddress) -> Result<(), ErrorCode>;
        fn finish_bind() -> Result<(), ErrorCode>;
        fn stream(Option<IpSocketAddress>) -> Result<(Resource<udp::IncomingDatagramStream>, Resource<udp::OutgoingDatagramStream>), ErrorCode>;
        fn local_address() -> Result<IpSocketAddress, ErrorCode>;
        fn remote_address() -> Result<IpSocketAddress, ErrorCode>;
        fn address_family() -> IpAddressFamily;
        fn unicast_hop_limit() -> Result<u8, ErrorCode>;
        fn set_unicast_hop_limit(u8) -> Result<(), ErrorCode>;
        fn receive_buffer_size() -> Result<u64, ErrorCode>;
        fn set_receive_buffer_size(u64) -> Result<(), ErrorCode>;
        fn send_buffer_size() -> Result<u64, ErrorCode>;
        fn set_send_buffer_size(u64) -> Result<(), ErrorCode>;
        fn subscribe() -> Resource<DynPollable>;
        fn drop() -> ();
    });
}

impl udp::HostIncomingDatagramStream for StoreData {
    never_created!(udp::IncomingDatagramStream {
        fn receive(u64) -> Result<Vec<udp::IncomingDatagram>, ErrorCode>;
        fn subscribe() -> Resource<DynPollable>;
        fn drop() -> ();
    });
}

impl udp::HostOutgoingDatagramStream for StoreData {
    never_created!(udp::OutgoingDatagramStream {
        fn check_send() -> Result<u64, ErrorCode>;
        fn send(Vec<udp::OutgoingDatagram>) -> Result<u64, ErrorCode>;
        fn subscribe() -> Resource<DynPollable>;
        fn drop() -> ();
    });
}
