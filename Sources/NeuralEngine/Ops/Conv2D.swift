// NeuralEngine: CONV_2D as a packed-weight GEMM in C (1×1 stride-1 convolutions read the NHWC input as
// the matrix, small kernels read it in place row segment by row segment, others gather im2col rows
// first), bias, padding and activation fused.
import CKernels
import COpenBLAS
import ModelFiles

final class Conv2DKernel: Kernel {
  let input: Int, output: Int
  /// Weights and bias packed for `ck_gemm` (panels of 16 output channels).
  let packed: AlignedFloats
  /// h, w: the input as stored (before any fused padding).
  let h: Int, w: Int, cin: Int, oh: Int, ow: Int, cout: Int
  let kh: Int, kw: Int, sh: Int, sw: Int, dh: Int, dw: Int, padTop: Int, padLeft: Int
  let act: FusedActivation
  /// True when the input itself is the im2col matrix (1×1 kernel, stride 1, no padding).
  let direct: Bool
  /// True when `ck_conv` reads the input in place (dilation 1 along x, kh·kw·cin ≤ 512).
  let inPlace: Bool
  /// True when threads split the output channels rather than the output pixels: with few pixels, each
  /// thread then reads only its part of the weights.
  let splitColumns: Bool
  let scratchCount: Int
  /// Output rows are split between this many threads.
  let threads: Int
  let isa: Int32
  /// Multiply-adds × 2 per run.
  let flops: Int
  /// The geometry for `ck_im2col` (its clamp is unused).
  let geometry: ck_conv_params

  init(_ ctx: PrepareContext) throws {
    guard case .conv2D(let padding, let strideW, let strideH, let a, let dilW, let dilH) = ctx.op.options
    else {
      throw ctx.fail("missing Conv2DOptions")
    }
    isa = Int32(ctx.isa.rawValue)
    input = try ctx.dataInput(0)
    output = try ctx.output()
    let filter = try ctx.input(1)
    let ins = try ctx.shape(input, rank: 4, "input")
    let fs = try ctx.shape(filter, rank: 4, "filter")
    guard ins[0] == 1 else { throw ctx.fail("batch \(ins[0]) is not supported (batch 1 only)") }
    guard fs[3] == ins[3] else {
      throw ctx.fail("filter depth \(fs[3]) does not match input depth \(ins[3])")
    }
    let pad = ctx.fusedPad ?? FusedPad()
    (h, w, cin) = (ins[1], ins[2], ins[3])
    (cout, kh, kw) = (fs[0], fs[1], fs[2])
    (sh, sw, dh, dw) = (strideH, strideW, dilH, dilW)
    guard
      let gy = convGeometry(
        input: h + pad.top + pad.bottom, filter: kh, stride: sh, dilation: dh, padding: padding),
      let gx = convGeometry(
        input: w + pad.left + pad.right, filter: kw, stride: sw, dilation: dw, padding: padding)
    else { throw ctx.fail("invalid geometry: input \(ins), filter \(fs), strides \(sh)×\(sw)") }
    (oh, padTop, ow, padLeft) = (gy.out, gy.padBefore + pad.top, gx.out, gx.padBefore + pad.left)
    try ctx.expectOutput(output, [1, oh, ow, cout])
    act = try FusedActivation(a, ctx)
    let k = kh * kw * cin  // the filter's shape was checked to hold at most 2^28 elements
    let (cols, o) = (oh * ow).multipliedReportingOverflow(by: k)
    guard !o, cols <= 1 << 28 else { throw ctx.fail("im2col of \(oh)×\(ow)×\(k) floats is too large") }
    guard k <= Int(Int32.max), cout <= Int(Int32.max), oh * ow <= Int(Int32.max) else {
      throw ctx.fail("dimensions over 2^31")
    }
    let wv = try ctx.constant(filter, count: cout * k, "filter")
    var bv: [Float]? = nil
    if let b = ctx.optionalInput(2) { bv = try ctx.constant(b, count: cout, "bias") }
    let pk = AlignedFloats(count: ck_gemm_packed_count(Int32(cout), Int32(k)))
    let (n32, k32) = (Int32(cout), Int32(k))
    wv.withUnsafeBufferPointer { wp in
      if let bv {
        bv.withUnsafeBufferPointer { ck_gemm_pack(n32, k32, wp.baseAddress, $0.baseAddress, pk.pointer) }
      } else {
        ck_gemm_pack(n32, k32, wp.baseAddress, nil, pk.pointer)
      }
    }
    packed = pk
    direct = kh == 1 && kw == 1 && sh == 1 && sw == 1 && padTop == 0 && padLeft == 0 && oh == h && ow == w
    // Every dimension is at most 2^28 (checked by the interpreter), so each fits an Int32.
    var g = ck_conv_params(
      h: Int32(h), w: Int32(w), c: Int32(cin), oh: Int32(oh), ow: Int32(ow), kh: Int32(kh), kw: Int32(kw),
      sh: Int32(sh), sw: Int32(sw), dh: Int32(dh), dw: Int32(dw), pad_top: Int32(padTop),
      pad_left: Int32(padLeft), clamp: 0, lo: 0, hi: 0)
    geometry = g
    inPlace = !direct && ck_conv_supported(&g) != 0
    scratchCount = direct || inPlace ? 0 : oh * ow * k
    flops = 2 * oh * ow * cout * k
    threads = splitThreads(ctx.threads, flops: flops)
    // Output channels are split when there are more of them than pixels (the weights are then the larger
    // operand, and each thread reads only its columns of them); otherwise pixel rows, like the operators
    // around, so each thread reads the input rows it wrote.
    splitColumns = threads > 1 && !inPlace && cout >= 64 && cout >= oh * ow
  }

  func run(_ t: TensorTable, scratch: UnsafeMutablePointer<Float>) {
    let src = t[input], dst = t[output]
    let k = kh * kw * cin
    let (clamp, lo, hi) = act.clamp
    // Output positions are split into row blocks, one per thread; each block gathers its own im2col
    // rows (disjoint parts of the scratch) and runs its own GEMM, so the result does not depend on the
    // thread count.
    if inPlace {
      withUnsafePointer(to: geometry) { g in
        parallelRows(oh * ow, threads: threads) { rows in
          ck_conv(
            isa, g, src, packed.pointer, Int32(cout), dst, rows.lowerBound, rows.upperBound, clamp, lo, hi)
        }
      }
      return
    }
    if splitColumns {
      let a: UnsafeMutablePointer<Float>
      if direct {
        a = src
      } else {
        a = scratch
        withUnsafePointer(to: geometry) { ck_im2col($0, src, a, 0, oh * ow) }
      }
      // Groups of 32 output channels (two 16-wide panels, the AVX-512 tile's width), or of 16 when 32s
      // do not split evenly between the threads (96 channels: 3 + 3 panels, not 1 + 2 tiles).
      let group = ((cout + 31) / 32) % threads == 0 ? 32 : 16
      parallelRows((cout + group - 1) / group, threads: threads, minimum: 1) { groups in
        ck_gemm_cols(
          isa, Int32(oh * ow), Int32(cout), Int32(k), a, k, packed.pointer, dst, cout,
          Int32(groups.lowerBound * group), Int32(min(cout, groups.upperBound * group)), clamp, lo, hi)
      }
      return
    }
    parallelRows(oh * ow, threads: threads) { rows in
      let a: UnsafeMutablePointer<Float>
      if direct {
        a = src + rows.lowerBound * k
      } else {
        a = scratch + rows.lowerBound * k
        withUnsafePointer(to: geometry) { ck_im2col($0, src, a, rows.lowerBound, rows.upperBound) }
      }
      ck_gemm(
        isa, Int32(rows.count), Int32(cout), Int32(k), a, k, packed.pointer, dst + rows.lowerBound * cout,
        cout, clamp, lo, hi)
    }
  }
}

extension Conv2DKernel {
  /// The previous implementation, kept as the reference the C GEMM is tested against:
  /// c[m, n] = act(a[m, k] · wᵀ + bias) with OpenBLAS's sgemm, w being [n, k] row-major.
  static func referenceGEMM(
    m: Int, n: Int, k: Int, _ a: UnsafePointer<Float>, lda: Int, weights: UnsafePointer<Float>,
    bias: UnsafePointer<Float>, _ c: UnsafeMutablePointer<Float>, ldc: Int, act: FusedActivation
  ) {
    cblas_sgemm(
      CblasRowMajor, CblasNoTrans, CblasTrans, Int32(m), Int32(n), Int32(k), 1, a, Int32(lda), weights,
      Int32(k), 0, c, Int32(ldc))
    for r in 0..<m {
      let row = c + r * ldc
      for j in 0..<n { row[j] += bias[j] }
      applyActivation(act, row, n)
    }
  }
}

extension Conv2DKernel {
  /// The plain loop over output pixels, output channels and taps: the reference the C convolution paths
  /// are tested against. `weights` is [cout, kh, kw, cin], `input` h×w×cin, the output oh×ow×cout.
  static func reference(
    _ input: UnsafePointer<Float>, _ output: UnsafeMutablePointer<Float>, weights: UnsafePointer<Float>,
    bias: UnsafePointer<Float>, h: Int, w: Int, cin: Int, cout: Int, oh: Int, ow: Int, kh: Int, kw: Int,
    sh: Int, sw: Int, dh: Int, dw: Int, padTop: Int, padLeft: Int, act: FusedActivation
  ) {
    for oy in 0..<oh {
      for ox in 0..<ow {
        let o = output + (oy * ow + ox) * cout
        for j in 0..<cout {
          var acc = bias[j]
          for ky in 0..<kh {
            let iy = oy * sh - padTop + ky * dh
            if iy < 0 || iy >= h { continue }
            for kx in 0..<kw {
              let ix = ox * sw - padLeft + kx * dw
              if ix < 0 || ix >= w { continue }
              let px = input + (iy * w + ix) * cin, wk = weights + ((j * kh + ky) * kw + kx) * cin
              for c in 0..<cin { acc += px[c] * wk[c] }
            }
          }
          o[j] = acc
        }
        applyActivation(act, o, cout)
      }
    }
  }
}
