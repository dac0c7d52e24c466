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

  init(_ ctx: PrepareContext) throws {
    guard
      case .depthwiseConv2D(let padding, let strideW, let strideH, let m, let a, let dilW, let dilH) =
        ctx.op.options
    else { throw ctx.fail("missing DepthwiseConv2DOptions") }
    input = try ctx.input(0)
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
  }

  deinit {
    weights.deallocate()
    bias.deallocate()
  }

  func run(_ t: TensorTable, scratch: UnsafeMutablePointer<Float>) {
    let src = t[input], dst = t[output]
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
