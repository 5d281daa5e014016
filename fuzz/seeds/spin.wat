;; A loop that never calls the host: ends by fuel or by the wall-clock timeout.
(module (func (export "_start") (loop (br 0))))
