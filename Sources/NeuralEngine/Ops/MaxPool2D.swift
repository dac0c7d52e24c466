// NeuralEngine: MAX_POOL_2D over NHWC; padded positions never win.
import ModelFiles

final class MaxPool2DKernel: Kernel {
  let input: Int, output: Int
  let h: Int, w: Int, c: Int, oh: Int, ow: Int, fh: Int, fw: Int, sh: Int, sw: Int, padTop: Int, padLeft: Int
  let act: FusedActivation
  let scratchCount = 0

  init(_ ctx: PrepareContext) throws {
    guard
      case .pool2D(let padding, let strideW, let strideH, let filterW, let filterH, let a) = ctx.op.options
    else { throw ctx.fail("missing Pool2DOptions") }
    input = try ctx.dataInput(0)
    output = try ctx.output()
    let s = try ctx.shape(input, rank: 4, "input")
    guard s[0] == 1 else { throw ctx.fail("batch 1 only") }
    (h, w, c) = (s[1], s[2], s[3])
    (fh, fw, sh, sw) = (filterH, filterW, strideH, strideW)
    guard let gy = convGeometry(input: h, filter: fh, stride: sh, dilation: 1, padding: padding),
      let gx = convGeometry(input: w, filter: fw, stride: sw, dilation: 1, padding: padding)
    else { throw ctx.fail("invalid pooling geometry") }
    (oh, padTop, ow, padLeft) = (gy.out, gy.padBefore, gx.out, gx.padBefore)
    try ctx.expectOutput(output, [1, oh, ow, c])
    act = try FusedActivation(a, ctx)
  }

  func run(_ t: TensorTable, scratch: UnsafeMutablePointer<Float>) {
    let src = t[input], dst = t[output]
    for oy in 0..<oh {
      // Only the filter rows/columns that land inside the input (a filter may be far larger than it).
      let y0 = oy * sh - padTop
      let ky0 = max(0, -y0), ky1 = max(ky0, min(fh, h - y0))
      for ox in 0..<ow {
        let x0 = ox * sw - padLeft
        let kx0 = max(0, -x0), kx1 = max(kx0, min(fw, w - x0))
        let o = dst + (oy * ow + ox) * c
        o.update(repeating: -.infinity, count: c)
        for ky in ky0..<ky1 {
          let iy = y0 + ky
          for kx in kx0..<kx1 {
            let ix = x0 + kx
            let p = src + (iy * w + ix) * c
            for ch in 0..<c { o[ch] = max(o[ch], p[ch]) }
          }
        }
        applyActivation(act, o, c)
      }
    }
  }
}
