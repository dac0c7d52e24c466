// NeuralEngine: DEPTHWISE_CONV_2D over NHWC — the C kernel for multiplier 1 (channel blocks in vector
// registers, bias, padding and activation fused), a plain Swift loop for other multipliers.
import CKernels
import ModelFiles

final class DepthwiseConv2DKernel: Kernel {
  let input: Int, output: Int
  // weights: [kh, kw, cout] with cout = cin · multiplier
  let weights: UnsafeMutablePointer<Float>
  // bias: [cout]
  let bias: UnsafeMutablePointer<Float>
  /// h, w: the input as stored (before any fused padding).
  let h: Int, w: Int, cin: Int, oh: Int, ow: Int, cout: Int, mult: Int
  let kh: Int, kw: Int, sh: Int, sw: Int, dh: Int, dw: Int, padTop: Int, padLeft: Int
  let act: FusedActivation
  let scratchCount = 0
  /// Output rows are split between this many threads.
  let threads: Int
  let isa: Int32
  /// Multiplier 1: weights and bias packed for `ck_dwconv`, and its parameters.
  let packed: AlignedFloats?
  let params: ck_conv_params
  /// Multiply-adds × 2 per run.
  let flops: Int

  init(_ ctx: PrepareContext) throws {
    guard
      case .depthwiseConv2D(let padding, let strideW, let strideH, let m, let a, let dilW, let dilH) =
        ctx.op.options
    else { throw ctx.fail("missing DepthwiseConv2DOptions") }
    isa = Int32(ctx.isa.rawValue)
    input = try ctx.dataInput(0)
    output = try ctx.output()
    let filter = try ctx.input(1)
    let ins = try ctx.shape(input, rank: 4, "input")
    let fs = try ctx.shape(filter, rank: 4, "filter")
    guard ins[0] == 1, fs[0] == 1 else { throw ctx.fail("batch 1 and filter [1, kh, kw, c] only") }
    (h, w, cin) = (ins[1], ins[2], ins[3])
    (kh, kw, cout) = (fs[1], fs[2], fs[3])
    guard cout % cin == 0 else { throw ctx.fail("filter depth \(cout) is not a multiple of \(cin)") }
    mult = cout / cin
    guard m == 0 || m == mult else { throw ctx.fail("depth multiplier \(m) disagrees with shapes") }
    (sh, sw, dh, dw) = (strideH, strideW, dilH, dilW)
    let pad = ctx.fusedPad ?? FusedPad()
    guard
      let gy = convGeometry(
        input: h + pad.top + pad.bottom, filter: kh, stride: sh, dilation: dh, padding: padding),
      let gx = convGeometry(
        input: w + pad.left + pad.right, filter: kw, stride: sw, dilation: dw, padding: padding)
    else { throw ctx.fail("invalid geometry: input \(ins), filter \(fs)") }
    (oh, padTop, ow, padLeft) = (gy.out, gy.padBefore + pad.top, gx.out, gx.padBefore + pad.left)
    try ctx.expectOutput(output, [1, oh, ow, cout])
    act = try FusedActivation(a, ctx)
    // Every lookup that can throw runs before the allocations (a throwing init does not run deinit).
    let wv = try ctx.constant(filter, count: kh * kw * cout, "filter")
    var bv: [Float]? = nil
    if let b = ctx.optionalInput(2) { bv = try ctx.constant(b, count: cout, "bias") }
    weights = .allocate(capacity: wv.count)
    weights.initialize(from: wv, count: wv.count)
    bias = .allocate(capacity: cout)
    if let bv {
      bias.initialize(from: bv, count: cout)
    } else {
      bias.initialize(repeating: 0, count: cout)
    }
    flops = 2 * oh * ow * cout * kh * kw
    // Depthwise convolutions run at about a third of the GEMM's rate: a third of its threshold.
    threads = splitThreads(ctx.threads, flops: 3 * flops)
    let (clamp, lo, hi) = act.clamp
    // Every dimension is at most 2^28 (checked by the interpreter), so each fits an Int32; the largest
    // offset the C kernel forms ((h·w)·c) is computed in 64 bits there.
    params = ck_conv_params(
      h: Int32(h), w: Int32(w), c: Int32(cout), oh: Int32(oh), ow: Int32(ow), kh: Int32(kh), kw: Int32(kw),
      sh: Int32(sh), sw: Int32(sw), dh: Int32(dh), dw: Int32(dw), pad_top: Int32(padTop),
      pad_left: Int32(padLeft), clamp: clamp, lo: lo, hi: hi)
    if mult == 1 {
      let p = AlignedFloats(count: ck_dw_packed_count(Int32(cout), Int32(kh), Int32(kw)))
      ck_dw_pack(Int32(cout), Int32(kh), Int32(kw), weights, bias, p.pointer)
      packed = p
    } else {
      packed = nil
    }
  }

  deinit {
    weights.deallocate()
    bias.deallocate()
  }

  func run(_ t: TensorTable, scratch: UnsafeMutablePointer<Float>) {
    let src = t[input], dst = t[output]
    if let packed {
      withUnsafePointer(to: params) { p in
        // Single rows: the small late maps (14 or 7 rows) still split evenly.
        parallelRows(oh, threads: threads, minimum: 1) { rows in
          ck_dwconv(isa, p, src, packed.pointer, dst, Int32(rows.lowerBound), Int32(rows.upperBound))
        }
      }
      return
    }
    Self.reference(
      src, dst, weights: weights, bias: bias, h: h, w: w, cin: cin, mult: mult, oh: oh, ow: ow, kh: kh,
      kw: kw, sh: sh, sw: sw, dh: dh, dw: dw, padTop: padTop, padLeft: padLeft, act: act)
  }

  /// The plain loop over output pixels, taps and channels: any multiplier (used when it is not 1, and as
  /// the reference the C kernel is tested against). `weights` is [kh, kw, cin·mult].
  static func reference(
    _ src: UnsafePointer<Float>, _ dst: UnsafeMutablePointer<Float>, weights: UnsafePointer<Float>,
    bias: UnsafePointer<Float>, h: Int, w: Int, cin: Int, mult: Int, oh: Int, ow: Int, kh: Int, kw: Int,
    sh: Int, sw: Int, dh: Int, dw: Int, padTop: Int, padLeft: Int, act: FusedActivation
  ) {
    let cout = cin * mult
    for oy in 0..<oh {
      for ox in 0..<ow {
        let acc = dst + (oy * ow + ox) * cout
        acc.update(from: bias, count: cout)
        for ky in 0..<kh {
          let iy = oy * sh - padTop + ky * dh
          if iy < 0 || iy >= h { continue }
          for kx in 0..<kw {
            let ix = ox * sw - padLeft + kx * dw
            if ix < 0 || ix >= w { continue }
            let px = src + (iy * w + ix) * cin
            let wk = weights + (ky * kw + kx) * cout
            if mult == 1 {
              for c in 0..<cout { acc[c] += px[c] * wk[c] }
            } else {
              for c in 0..<cin {
                for j in 0..<mult { acc[c * mult + j] += px[c] * wk[c * mult + j] }
              }
            }
          }
        }
        applyActivation(act, acc, cout)
      }
    }
  }
}
