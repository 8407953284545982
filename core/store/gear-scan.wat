;; The gear-hash scan of the FastCDC chunker (core/store/chunker.ts), in WebAssembly for speed.
;; Memory: the 256-entry gear table (i32, little-endian) at 0, the bytes to scan from 1024.
;; scan(at, stop, normal, maskS, maskL): warms the hash on the 32 bytes before `at`, then returns the
;; first position p in [at, stop) whose hash has no bit of (p < normal ? maskS : maskL) set, or -1.
(module
  (memory (export "memory") 1)

  (func (export "scan") (param $at i32) (param $stop i32) (param $normal i32) (param $maskS i32) (param $maskL i32) (result i32)
    (local $h i32) (local $p i32) (local $lim i32)
    (local.set $p (i32.sub (local.get $at) (i32.const 32)))
    (block $warmed
      (loop $warm
        (br_if $warmed (i32.ge_u (local.get $p) (local.get $at)))
        (local.set $h
          (i32.add
            (i32.shl (local.get $h) (i32.const 1))
            (i32.load (i32.shl (i32.load8_u (local.get $p)) (i32.const 2)))))
        (local.set $p (i32.add (local.get $p) (i32.const 1)))
        (br $warm)))
    (local.set $lim
      (select (local.get $normal) (local.get $stop) (i32.lt_u (local.get $normal) (local.get $stop))))
    (block $small_done
      (loop $small
        (br_if $small_done (i32.ge_u (local.get $p) (local.get $lim)))
        (local.set $h
          (i32.add
            (i32.shl (local.get $h) (i32.const 1))
            (i32.load (i32.shl (i32.load8_u (local.get $p)) (i32.const 2)))))
        (if (i32.eqz (i32.and (local.get $h) (local.get $maskS))) (then (return (local.get $p))))
        (local.set $p (i32.add (local.get $p) (i32.const 1)))
        (br $small)))
    (block $large_done
      (loop $large
        (br_if $large_done (i32.ge_u (local.get $p) (local.get $stop)))
        (local.set $h
          (i32.add
            (i32.shl (local.get $h) (i32.const 1))
            (i32.load (i32.shl (i32.load8_u (local.get $p)) (i32.const 2)))))
        (if (i32.eqz (i32.and (local.get $h) (local.get $maskL))) (then (return (local.get $p))))
        (local.set $p (i32.add (local.get $p) (i32.const 1)))
        (br $large)))
    (i32.const -1)))
