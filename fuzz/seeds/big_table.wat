;; A table growing past the 10,000,000-element cap and a second table past the memory limit.
(module
  (table $t 1 20000000 funcref)
  (table $u 0 funcref)
  (func (export "_start")
    (drop (table.grow $t (ref.null func) (i32.const 10000000)))
    (drop (table.grow $u (ref.null func) (i32.const 9000000)))))
