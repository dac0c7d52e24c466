// NeuralEngine: DEPTHWISE_CONV_2D as hand loops over NHWC, vectorised over channels.
import ModelIO

final class DepthwiseConv2DKernel: Kernel {
  let input: Int, output: Int
  // weights: [kh, kw, cout] with cout = cin · multiplier
  let weights: UnsafeMutablePointer<Float>
  // bias: [cout]
  let bias: UnsafeMutablePointer<Float>
  let h: Int, w: Int, cin: Int, oh: Int, ow: Int, cout: Int, mult: Int
  let kh: Int, kw: Int, sh: Int, sw: Int, dh: Int, dw: Int, padTop: Int, padLeft: Int
  let act: FusedActivation
  let scratchCount = 0
  /// Stride-1, multiplier-1 fast path: per tap, the tap's weights tiled over a whole output row
  /// ([kh·kw, ow·cout]), and the bias tiled likewise ([ow·cout]), so each tap is one long fused
  /// multiply-add over contiguous memory.
  let tiledWeights: UnsafeMutablePointer<Float>?
  let tiledBias: UnsafeMutablePointer<Float>?

  init(_ ctx: PrepareContext) throws {
    guard
      case .depthwiseConv2D(let padding, let strideW, let strideH, let m, let a, let dilW, let dilH) =
        ctx.op.options
    else { throw ctx.fail("missing DepthwiseConv2DOptions") }
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
    guard let gy = convGeometry(input: h, filter: kh, stride: sh, dilation: dh, padding: padding),
      let gx = convGeometry(input: w, filter: kw, stride: sw, dilation: dw, padding: padding)
    else { throw ctx.fail("invalid geometry: input \(ins), filter \(fs)") }
    (oh, padTop, ow, padLeft) = (gy.out, gy.padBefore, gx.out, gx.padBefore)
    try ctx.expectOutput(output, [1, oh, ow, cout])
    act = try FusedActivation(a, ctx)
    let wv = try ctx.constant(filter, count: kh * kw * cout, "filter")
    weights = .allocate(capacity: wv.count)
    weights.initialize(from: wv, count: wv.count)
    bias = .allocate(capacity: cout)
    if let b = ctx.optionalInput(2) {
      bias.initialize(from: try ctx.constant(b, count: cout, "bias"), count: cout)
    } else {
      bias.initialize(repeating: 0, count: cout)
    }
    if sh == 1 && sw == 1 && mult == 1 {
      let row = ow * cout
      let tw = UnsafeMutablePointer<Float>.allocate(capacity: kh * kw * row)
      for tap in 0..<(kh * kw) {
        for ox in 0..<ow { (tw + tap * row + ox * cout).initialize(from: weights + tap * cout, count: cout) }
      }
      let tb = UnsafeMutablePointer<Float>.allocate(capacity: row)
      for ox in 0..<ow { (tb + ox * cout).initialize(from: bias, count: cout) }
      tiledWeights = tw
      tiledBias = tb
    } else {
      tiledWeights = nil
      tiledBias = nil
    }
  }

  deinit {
    weights.deallocate()
    bias.deallocate()
    tiledWeights?.deallocate()
    tiledBias?.deallocate()
  }

  /// Stride 1, multiplier 1: for each output row and tap, out[j] += in[j + shift] · w[j] over the
  /// run of output columns whose input column is inside the image.
  private func runTiled(
    _ src: UnsafeMutablePointer<Float>, _ dst: UnsafeMutablePointer<Float>,
    _ tw: UnsafeMutablePointer<Float>, _ tb: UnsafeMutablePointer<Float>
  ) {
    let c = cout
    let row = ow * c
    for oy in 0..<oh {
      let out = dst + oy * row
      out.update(from: tb, count: row)
      for ky in 0..<kh {
        let iy = oy - padTop + ky * dh
        if iy < 0 || iy >= h { continue }
        let inRow = src + iy * w * c
        for kx in 0..<kw {
          let shift = kx * dw - padLeft  // input column = output column + shift
          let ox0 = max(0, -shift), ox1 = min(ow, w - shift)
          if ox0 >= ox1 { continue }
          let n = (ox1 - ox0) * c
          let o = out + ox0 * c
          let x = inRow + (ox0 + shift) * c
          let wt = tw + (ky * kw + kx) * row + ox0 * c
          for j in 0..<n { o[j] += x[j] * wt[j] }
        }
      }
      applyActivation(act, out, row)
    }
  }

  func run(_ t: TensorTable, scratch: UnsafeMutablePointer<Float>) {
    let src = t[input], dst = t[output]
    if let tw = tiledWeights, let tb = tiledBias {
      runTiled(src, dst, tw, tb)
      return
    }
    let (cin, cout, mult) = (self.cin, self.cout, self.mult)
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
