// NeuralEngine: RESIZE_BILINEAR over NHWC, honouring align_corners and half_pixel_centers as TFLite does.
import Foundation
import ModelFiles

final class ResizeBilinearKernel: Kernel {
  let input: Int, output: Int
  let h: Int, w: Int, c: Int, oh: Int, ow: Int
  // Per output row/column: the two source indices and the weight of the second.
  let y0: [Int], y1: [Int], fy: [Float], x0: [Int], x1: [Int], fx: [Float]
  let scratchCount = 0
  /// Threads for the loop over output rows (one for small outputs).
  let threads: Int

  init(_ ctx: PrepareContext) throws {
    guard case .resizeBilinear(let alignCorners, let halfPixel) = ctx.op.options else {
      throw ctx.fail("missing ResizeBilinearOptions")
    }
    guard !(alignCorners && halfPixel) else {
      throw ctx.fail("align_corners and half_pixel_centers cannot both be set")
    }
    input = try ctx.dataInput(0)
    output = try ctx.output()
    let s = try ctx.shape(input, rank: 4, "input")
    guard s[0] == 1 else { throw ctx.fail("batch 1 only") }
    let size = try ctx.intConstant(try ctx.input(1), "size")
    guard size.count == 2, size[0] > 0, size[1] > 0, size[0] < 1 << 15, size[1] < 1 << 15 else {
      throw ctx.fail("size \(size) is invalid")
    }
    (h, w, c, oh, ow) = (s[1], s[2], s[3], size[0], size[1])
    try ctx.expectOutput(output, [1, oh, ow, c])
    threads = elementwiseThreads(ctx.threads, count: oh * ow * c)
    func table(_ inSize: Int, _ outSize: Int) -> ([Int], [Int], [Float]) {
      let scale: Float =
        alignCorners && outSize > 1 ? Float(inSize - 1) / Float(outSize - 1) : Float(inSize) / Float(outSize)
      var lo: [Int] = [], hi: [Int] = [], frac: [Float] = []
      for o in 0..<outSize {
        let v: Float = halfPixel ? (Float(o) + 0.5) * scale - 0.5 : Float(o) * scale
        let l = max(Int(v.rounded(.down)), 0)
        let u = min(Int(v.rounded(.up)), inSize - 1)
        lo.append(min(l, inSize - 1))
        hi.append(max(u, 0))
        frac.append(v - Float(l))
      }
      return (lo, hi, frac)
    }
    (y0, y1, fy) = table(h, oh)
    (x0, x1, fx) = table(w, ow)
  }

  func run(_ t: TensorTable, scratch: UnsafeMutablePointer<Float>) {
    let src = t[input], dst = t[output]
    parallelRows(oh, threads: threads, minimum: 1) { rows in resize(src, dst, rows) }
  }

  /// Output rows `rows`.
  private func resize(
    _ src: UnsafeMutablePointer<Float>, _ dst: UnsafeMutablePointer<Float>, _ rows: Range<Int>
  ) {
    for oy in rows {
      let dy = fy[oy]
      let r0 = src + y0[oy] * w * c, r1 = src + y1[oy] * w * c
      for ox in 0..<ow {
        let dx = fx[ox]
        let p00 = r0 + x0[ox] * c, p01 = r0 + x1[ox] * c
        let p10 = r1 + x0[ox] * c, p11 = r1 + x1[ox] * c
        let o = dst + (oy * ow + ox) * c
        for ch in 0..<c {
          o[ch] =
            p00[ch] * (1 - dy) * (1 - dx) + p10[ch] * dy * (1 - dx) + p01[ch] * (1 - dy) * dx + p11[ch] * dy
            * dx
        }
      }
    }
  }
}
