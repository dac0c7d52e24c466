// NeuralEngine: PAD with zeros (constant paddings), for tensors of rank up to 4.
import ModelFiles

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

extension PadKernel {
  /// Folds each PAD of zeros over rows and columns into the convolution that alone reads its output:
  /// the PAD is dropped, the convolution reads the PAD's input and treats the padding as zeros (so one
  /// copy of the tensor is saved). Returns the remaining operators (position in the file, operator) and
  /// the padding each rewritten convolution takes, by its position in the file. PADs that do not fit
  /// (other dimensions padded, non-constant or mismatched paddings, graph outputs, several readers) stay.
  static func foldIntoConvolutions(
    _ ops: [(Int, TFLiteOperator)], graph g: TFLiteSubgraph, intConstants: [Int: [Int]]
  ) -> (ops: [(Int, TFLiteOperator)], pads: [Int: FusedPad]) {
    var readers: [Int: Int] = [:]
    for (_, op) in ops { for t in op.inputs where t >= 0 { readers[t, default: 0] += 1 } }
    let graphOutputs = Set(g.outputs)
    var ops = ops
    var pads: [Int: FusedPad] = [:]
    var i = 0
    while i < ops.count {
      let op = ops[i].1
      guard op.builtin == .pad, op.inputs.count == 2, op.outputs.count == 1, op.inputs[0] >= 0,
        op.inputs[1] >= 0, let p = intConstants[op.inputs[1]], p.count == 8,
        p[0] == 0, p[1] == 0, p[6] == 0, p[7] == 0, p[2...5].allSatisfy({ $0 >= 0 && $0 < 1 << 16 })
      else {
        i += 1
        continue
      }
      let src = op.inputs[0], out = op.outputs[0]
      let s = g.tensors[src].shape
      guard s.count == 4, g.tensors[src].type == .float32, !graphOutputs.contains(out), readers[out] == 1,
        g.tensors[out].shape == [s[0], s[1] + p[2] + p[3], s[2] + p[4] + p[5], s[3]],
        let j = ops[(i + 1)...].firstIndex(where: { $0.1.inputs.contains(out) }),
        ops[j].1.builtin == .conv2D || ops[j].1.builtin == .depthwiseConv2D, ops[j].1.inputs.first == out,
        pads[ops[j].0] == nil
      else {
        i += 1
        continue
      }
      ops[j].1.inputs[0] = src
      pads[ops[j].0] = FusedPad(top: p[2], bottom: p[3], left: p[4], right: p[5])
      ops.remove(at: i)
    }
    return (ops, pads)
  }
}
