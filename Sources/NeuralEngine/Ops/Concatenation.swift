// NeuralEngine: CONCATENATION along any axis.
import ModelFiles

final class ConcatenationKernel: Kernel {
  let inputs: [Int], output: Int
  // outer: product of the dimensions before the axis; chunks: each input's elements per outer step
  let outer: Int, chunks: [Int]
  let act: FusedActivation
  let scratchCount = 0

  init(_ ctx: PrepareContext) throws {
    guard case .concatenation(let axisIn, let a) = ctx.op.options else { throw ctx.fail("missing options") }
    inputs = try (0..<ctx.op.inputs.count).map { try ctx.dataInput($0) }
    output = try ctx.output()
    guard let first = inputs.first else { throw ctx.fail("no inputs") }
    let rank = ctx.shape(first).count
    let axis = axisIn < 0 ? axisIn + rank : axisIn
    guard axis >= 0, axis < rank else { throw ctx.fail("axis \(axisIn) out of range for rank \(rank)") }
    var out = ctx.shape(first)
    out[axis] = 0
    var chunks: [Int] = []
    for i in inputs {
      let s = ctx.shape(i)
      guard s.count == rank, s.allSatisfy({ $0 > 0 }) else { throw ctx.fail("input shape \(s)") }
      for d in 0..<rank where d != axis && s[d] != out[d] {
        throw ctx.fail("input shapes disagree outside axis \(axis)")
      }
      out[axis] += s[axis]
      chunks.append(product(Array(s[axis...])))
    }
    try ctx.expectOutput(output, out)
    outer = product(Array(out[..<axis]))
    self.chunks = chunks
    act = try FusedActivation(a, ctx)
  }

  func run(_ t: TensorTable, scratch: UnsafeMutablePointer<Float>) {
    var d = t[output]
    let total = outer * chunks.reduce(0, +)
    for o in 0..<outer {
      for (k, i) in inputs.enumerated() {
        d.update(from: t[i] + o * chunks[k], count: chunks[k])
        d += chunks[k]
      }
    }
    applyActivation(act, t[output], total)
  }
}
