;; SIMD and float ops whose NaNs are canonicalized.
(module
  (memory (export "memory") 1)
  (func (export "_start")
    (v128.store (i32.const 0) (f32x4.div (v128.const f32x4 0 1 -0 inf) (v128.const f32x4 0 0 0 inf)))
    (f64.store (i32.const 16) (f64.sqrt (f64.const -1)))))
