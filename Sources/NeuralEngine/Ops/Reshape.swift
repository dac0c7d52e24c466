// NeuralEngine: RESHAPE (a copy; element order is unchanged).
import ModelFiles

final class ReshapeKernel: Kernel {
  let input: Int, output: Int, count: Int
  let scratchCount = 0

  init(_ ctx: PrepareContext) throws {
    input = try ctx.dataInput(0)
    output = try ctx.output()
    let si = ctx.shape(input), so = ctx.shape(output)
    guard si.allSatisfy({ $0 > 0 }), so.allSatisfy({ $0 > 0 }), product(si) == product(so) else {
      throw ctx.fail("cannot reshape \(si) to \(so)")
    }
    count = product(si)
  }

  func run(_ t: TensorTable, scratch: UnsafeMutablePointer<Float>) {
    t[output].update(from: t[input], count: count)
  }
}
