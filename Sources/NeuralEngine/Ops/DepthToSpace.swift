// NeuralEngine: DEPTH_TO_SPACE (NHWC, DCR order as TFLite).
import ModelFiles

final class DepthToSpaceKernel: Kernel {
  let input: Int, output: Int
  let h: Int, w: Int, c: Int, bs: Int
  let scratchCount = 0

  init(_ ctx: PrepareContext) throws {
    guard case .depthToSpace(let blockSize) = ctx.op.options else {
      throw ctx.fail("missing DepthToSpaceOptions")
    }
    input = try ctx.dataInput(0)
    output = try ctx.output()
    let s = try ctx.shape(input, rank: 4, "input")
    guard s[0] == 1, blockSize > 0, s[3] % (blockSize * blockSize) == 0 else {
      throw ctx.fail("block size \(blockSize) does not divide depth \(s[3])")
    }
    (h, w, bs) = (s[1], s[2], blockSize)
    c = s[3] / (bs * bs)
    try ctx.expectOutput(output, [1, h * bs, w * bs, c])
  }

  func run(_ t: TensorTable, scratch: UnsafeMutablePointer<Float>) {
    let src = t[input], dst = t[output]
    let ow = w * bs
    for y in 0..<h {
      for x in 0..<w {
        let p = src + (y * w + x) * c * bs * bs
        for dy in 0..<bs {
          for dx in 0..<bs {
            (dst + ((y * bs + dy) * ow + x * bs + dx) * c).update(from: p + (dy * bs + dx) * c, count: c)
          }
        }
      }
    }
  }
}
