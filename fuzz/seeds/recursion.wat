;; Unbounded recursion: the call stack is exhausted.
(module (func $f (export "_start") (call $f)))
