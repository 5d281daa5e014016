//! `wasi:filesystem/types` and `preopens`: linked, with no preopened directory.
//!
//! Without a preopen the guest can never obtain a descriptor, so it can reach no file at all.
//! Every descriptor method still answers with a WASI error code (`bad-descriptor`) rather than
//! trapping. The in-memory filesystem that will preopen `/` replaces this file.

use wasmtime::component::Resource;

use crate::sandbox::bindings::wasi::filesystem::preopens;
use crate::sandbox::bindings::wasi::filesystem::types::{
    self, Advice, Descriptor, DescriptorFlags, DescriptorStat, DescriptorType, DirectoryEntry,
    DirectoryEntryStream, Error, ErrorCode, MetadataHashValue, NewTimestamp, OpenFlags, PathFlags,
};
use crate::sandbox::store::StoreData;
use wasmtime_wasi_io::streams::{DynInputStream, DynOutputStream};

/// Implements descriptor methods as failing with `bad-descriptor`.
macro_rules! bad_descriptor {
    ($(fn $name:ident($($arg:ty),*) -> $ok:ty;)*) => {
        $(fn $name(&mut self, _: Resource<Descriptor>, $(_: $arg),*)
            -> wasmtime::Result<Result<$ok, ErrorCode>> {
            Ok(Err(ErrorCode::BadDescriptor))
        })*
    };
}

impl types::Host for StoreData {
    fn filesystem_error_code(&mut self, _: Resource<Error>) -> wasmtime::Result<Option<ErrorCode>> {
        Ok(None)
    }
}

impl types::HostDescriptor for StoreData {
    bad_descriptor! {
        fn read_via_stream(u64) -> Resource<DynInputStream>;
        fn write_via_stream(u64) -> Resource<DynOutputStream>;
        fn append_via_stream() -> Resource<DynOutputStream>;
        fn advise(u64, u64, Advice) -> ();
        fn sync_data() -> ();
        fn get_flags() -> DescriptorFlags;
        fn get_type() -> DescriptorType;
        fn set_size(u64) -> ();
        fn set_times(NewTimestamp, NewTimestamp) -> ();
        fn read(u64, u64) -> (Vec<u8>, bool);
        fn write(Vec<u8>, u64) -> u64;
        fn read_directory() -> Resource<DirectoryEntryStream>;
        fn sync() -> ();
        fn create_directory_at(String) -> ();
        fn stat() -> DescriptorStat;
        fn stat_at(PathFlags, String) -> DescriptorStat;
        fn set_times_at(PathFlags, String, NewTimestamp, NewTimestamp) -> ();
        fn link_at(PathFlags, String, Resource<Descriptor>, String) -> ();
        fn open_at(PathFlags, String, OpenFlags, DescriptorFlags) -> Resource<Descriptor>;
        fn readlink_at(String) -> String;
        fn remove_directory_at(String) -> ();
        fn rename_at(String, Resource<Descriptor>, String) -> ();
        fn symlink_at(String, String) -> ();
        fn unlink_file_at(String) -> ();
        fn metadata_hash() -> MetadataHashValue;
        fn metadata_hash_at(PathFlags, String) -> MetadataHashValue;
    }

    fn is_same_object(
        &mut self,
        _: Resource<Descriptor>,
        _: Resource<Descriptor>,
    ) -> wasmtime::Result<bool> {
        Ok(false)
    }

    fn drop(&mut self, _: Resource<Descriptor>) -> wasmtime::Result<()> {
        Ok(())
    }
}

impl types::HostDirectoryEntryStream for StoreData {
    fn read_directory_entry(
        &mut self,
        _: Resource<DirectoryEntryStream>,
    ) -> wasmtime::Result<Result<Option<DirectoryEntry>, ErrorCode>> {
        Ok(Err(ErrorCode::BadDescriptor))
    }

    fn drop(&mut self, _: Resource<DirectoryEntryStream>) -> wasmtime::Result<()> {
        Ok(())
    }
}

impl preopens::Host for StoreData {
    fn get_directories(&mut self) -> wasmtime::Result<Vec<(Resource<Descriptor>, String)>> {
        Ok(Vec::new())
    }
}
