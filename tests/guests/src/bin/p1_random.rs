//! Prints 16 random bytes from preview1 `random_get`, twice. Built for wasm32-wasip1, where it
//! is a direct import; on wasm32-wasip2 the std adapter provides it.
#[link(wasm_import_module = "wasi_snapshot_preview1")]
unsafe extern "C" {
    fn random_get(buf: *mut u8, len: usize) -> u16;
}

fn main() {
    for _ in 0..2 {
        let mut buf = [0u8; 16];
        // SAFETY: `buf` is valid for writes of its length.
        let errno = unsafe { random_get(buf.as_mut_ptr(), buf.len()) };
        assert_eq!(errno, 0);
        let hex: String = buf.iter().map(|b| format!("{b:02x}")).collect();
        println!("bytes {hex}");
    }
}
