;; Traps: its NAME.outcome says so.
(module (func $boom unreachable) (func (export "_start") (call $boom)))
