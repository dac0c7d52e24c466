// NeuralEngine: CONV_2D on OpenBLAS sgemm (1×1 stride-1 convolutions directly, others through im2col).
import COpenBLAS
import ModelIO

final class Conv2DKernel: Kernel {
  let input: Int, output: Int
  // weights: [cout, kh, kw, cin] row-major = a [cout, k] matrix with k = kh·kw·cin
  let weights: UnsafeMutablePointer<Float>
  // bias: [cout] (zeros when the op has none)
  let bias: UnsafeMutablePointer<Float>
  let h: Int, w: Int, cin: Int, oh: Int, ow: Int, cout: Int
  let kh: Int, kw: Int, sh: Int, sw: Int, dh: Int, dw: Int, padTop: Int, padLeft: Int
  let act: FusedActivation
  /// True when the input itself is the im2col matrix (1×1 kernel, stride 1, no padding).
  let direct: Bool
  let scratchCount: Int
  /// Output rows are split between this many threads.
  let threads: Int

  init(_ ctx: PrepareContext) throws {
    guard case .conv2D(let padding, let strideW, let strideH, let a, let dilW, let dilH) = ctx.op.options
    else {
      throw ctx.fail("missing Conv2DOptions")
    }
    threads = ctx.threads
    input = try ctx.dataInput(0)
    output = try ctx.output()
    let filter = try ctx.input(1)
    let ins = try ctx.shape(input, rank: 4, "input")
    let fs = try ctx.shape(filter, rank: 4, "filter")
    guard ins[0] == 1 else { throw ctx.fail("batch \(ins[0]) is not supported (batch 1 only)") }
    guard fs[3] == ins[3] else {
      throw ctx.fail("filter depth \(fs[3]) does not match input depth \(ins[3])")
    }
    (h, w, cin) = (ins[1], ins[2], ins[3])
    (cout, kh, kw) = (fs[0], fs[1], fs[2])
    (sh, sw, dh, dw) = (strideH, strideW, dilH, dilW)
    guard let gy = convGeometry(input: h, filter: kh, stride: sh, dilation: dh, padding: padding),
      let gx = convGeometry(input: w, filter: kw, stride: sw, dilation: dw, padding: padding)
    else { throw ctx.fail("invalid geometry: input \(ins), filter \(fs), strides \(sh)×\(sw)") }
    (oh, padTop, ow, padLeft) = (gy.out, gy.padBefore, gx.out, gx.padBefore)
    try ctx.expectOutput(output, [1, oh, ow, cout])
    act = try FusedActivation(a, ctx)
    let k = kh * kw * cin  // the filter's shape was checked to hold at most 2^28 elements
    let (cols, o) = (oh * ow).multipliedReportingOverflow(by: k)
    guard !o, cols <= 1 << 28 else { throw ctx.fail("im2col of \(oh)×\(ow)×\(k) floats is too large") }
    let wv = try ctx.constant(filter, count: cout * k, "filter")
    weights = .allocate(capacity: wv.count)
    weights.initialize(from: wv, count: wv.count)
    bias = .allocate(capacity: cout)
    if let b = ctx.optionalInput(2) {
      let bv = try ctx.constant(b, count: cout, "bias")
      bias.initialize(from: bv, count: cout)
    } else {
      bias.initialize(repeating: 0, count: cout)
    }
    direct = kh == 1 && kw == 1 && sh == 1 && sw == 1 && padTop == 0 && padLeft == 0
    scratchCount = direct ? 0 : oh * ow * k
  }

  deinit {
    weights.deallocate()
    bias.deallocate()
  }

  func run(_ t: TensorTable, scratch: UnsafeMutablePointer<Float>) {
    let src = t[input], dst = t[output]
    let k = kh * kw * cin
    // Output positions are split into row blocks, one per thread; each block gathers its own im2col
    // rows (disjoint parts of the scratch) and runs a single-threaded sgemm, so the result does not
    // depend on the thread count.
    parallelRows(oh * ow, threads: threads) { rows in
      let m = rows.count
      let a: UnsafeMutablePointer<Float>
      if direct {
        a = src + rows.lowerBound * k
      } else {
        a = scratch + rows.lowerBound * k
        im2col(src, a, rows)
      }
      let out = dst + rows.lowerBound * cout
      // out[m, cout] = a[m, k] · weightsᵀ[k, cout]
      cblas_sgemm(
        CblasRowMajor, CblasNoTrans, CblasTrans, Int32(m), Int32(cout), Int32(k),
        1, a, Int32(k), weights, Int32(k), 0, out, Int32(cout))
      for r in 0..<m {
        let row = out + r * cout
        for c in 0..<cout { row[c] += bias[c] }
        applyActivation(act, row, cout)
      }
    }
  }

  /// Gathers the receptive fields of output positions `rows` (flat oy·ow + ox) into consecutive rows of
  /// `col` ([rows.count, kh·kw·cin]), zeros outside the input.
  private func im2col(
    _ src: UnsafeMutablePointer<Float>, _ col: UnsafeMutablePointer<Float>, _ rows: Range<Int>
  ) {
    var p = col
    for r in rows {
      let oy = r / ow, ox = r % ow
      for ky in 0..<kh {
        let iy = oy * sh - padTop + ky * dh
        for kx in 0..<kw {
          let ix = ox * sw - padLeft + kx * dw
          if iy >= 0 && iy < h && ix >= 0 && ix < w {
            p.update(from: src + (iy * w + ix) * cin, count: cin)
          } else {
            p.update(repeating: 0, count: cin)
          }
          p += cin
        }
      }
    }
  }
}
