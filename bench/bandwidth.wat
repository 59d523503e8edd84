;; Streaming sum over a Float32Array in linear memory: four f32x4 accumulators,
;; 64 bytes per iteration. Used by the benchmark to measure memory bandwidth on the spot.
;; spin: n steps of two dependent float multiply-adds, no memory traffic: a fixed amount
;; of work whose time tells how fast this process's core runs (the benchmark prints it
;; beside the per-event figures, which vary with it).
(module
  (memory (export "memory") 1)
  (func (export "sum") (param $ptr i32) (param $bytes i32) (result f32)
    (local $end i32) (local $a v128) (local $b v128) (local $c v128) (local $d v128)
    (local.set $end (i32.add (local.get $ptr) (local.get $bytes)))
    (block $done
      (loop $loop
        (br_if $done (i32.ge_u (local.get $ptr) (local.get $end)))
        (local.set $a (f32x4.add (local.get $a) (v128.load offset=0 (local.get $ptr))))
        (local.set $b (f32x4.add (local.get $b) (v128.load offset=16 (local.get $ptr))))
        (local.set $c (f32x4.add (local.get $c) (v128.load offset=32 (local.get $ptr))))
        (local.set $d (f32x4.add (local.get $d) (v128.load offset=48 (local.get $ptr))))
        (local.set $ptr (i32.add (local.get $ptr) (i32.const 64)))
        (br $loop)))
    (local.set $a (f32x4.add (f32x4.add (local.get $a) (local.get $b)) (f32x4.add (local.get $c) (local.get $d))))
    (f32.add (f32.add (f32x4.extract_lane 0 (local.get $a)) (f32x4.extract_lane 1 (local.get $a)))
             (f32.add (f32x4.extract_lane 2 (local.get $a)) (f32x4.extract_lane 3 (local.get $a)))))
  (func (export "spin") (param $n i32) (result f32)
    (local $x f32) (local $y f32)
    (local.set $x (f32.const 1.0001))
    (local.set $y (f32.const 0.5))
    (block $done
      (loop $loop
        (br_if $done (i32.eqz (local.get $n)))
        (local.set $x (f32.add (f32.mul (local.get $x) (f32.const 0.9999)) (f32.const 0.0001)))
        (local.set $y (f32.add (f32.mul (local.get $y) (f32.const 0.9998)) (f32.const 0.0002)))
        (local.set $n (i32.sub (local.get $n) (i32.const 1)))
        (br $loop)))
    (f32.add (local.get $x) (local.get $y))))
