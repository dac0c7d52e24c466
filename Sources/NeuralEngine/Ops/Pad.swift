// NeuralEngine: PAD with zeros (constant paddings), for tensors of rank up to 4.
import ModelIO

final class PadKernel: Kernel {
  let input: Int, output: Int
  // in4/out4: shapes left-padded to rank 4; before4: leading padding per dimension
  let in4: [Int], out4: [Int], before4: [Int]
  let scratchCount = 0

  init(_ ctx: PrepareContext) throws {
    input = try ctx.dataInput(0)
    output = try ctx.output()
    let s = ctx.shape(input)
    guard (1...4).contains(s.count), s.allSatisfy({ $0 > 0 }) else { throw ctx.fail("input shape \(s)") }
    let p = try ctx.intConstant(try ctx.input(1), "paddings")
    guard p.count == 2 * s.count, p.allSatisfy({ $0 >= 0 && $0 < 1 << 16 }) else {
      throw ctx.fail("paddings \(p) do not fit input shape \(s)")
    }
    var o: [Int] = []
    for i in 0..<s.count { o.append(s[i] + p[2 * i] + p[2 * i + 1]) }
    try ctx.expectOutput(output, o)
    let lead = 4 - s.count
    in4 = Array(repeating: 1, count: lead) + s
    out4 = Array(repeating: 1, count: lead) + o
    before4 = Array(repeating: 0, count: lead) + (0..<s.count).map { p[2 * $0] }
  }

  func run(_ t: TensorTable, scratch: UnsafeMutablePointer<Float>) {
    let src = t[input], dst = t[output]
    dst.update(repeating: 0, count: product(out4))
    let row = in4[3]
    for n in 0..<in4[0] {
      for y in 0..<in4[1] {
        for x in 0..<in4[2] {
          let si = ((n * in4[1] + y) * in4[2] + x) * row
          let di =
            (((n + before4[0]) * out4[1] + y + before4[1]) * out4[2] + x + before4[2]) * out4[3] + before4[3]
          (dst + di).update(from: src + si, count: row)
        }
      }
    }
  }
}
