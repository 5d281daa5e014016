fn main() {
    // The napi build setup (link flags for a Node addon) only applies to the binding.
    #[cfg(feature = "napi")]
    napi_build::setup();
}
