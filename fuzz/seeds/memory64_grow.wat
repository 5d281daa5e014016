;; A 64-bit memory with a maximum past 4 GiB, grown past the cap and the memory limit.
(module
  (memory (export "memory") i64 1 100000)
  (func (export "_start")
    (drop (memory.grow (i64.const 70000)))
    (drop (memory.grow (i64.const 100)))
    (i64.store (i64.const 100) (i64.const 42))))
