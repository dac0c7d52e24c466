// NeuralEngine: LOGISTIC (the sigmoid 1 / (1 + e^-x)).
import Foundation
import ModelFiles

final class LogisticKernel: Kernel {
  let input: Int, output: Int, count: Int
  let scratchCount = 0

  init(_ ctx: PrepareContext) throws {
    input = try ctx.dataInput(0)
    output = try ctx.output()
    let s = ctx.shape(input)
    guard s.allSatisfy({ $0 > 0 }) else { throw ctx.fail("input shape \(s)") }
    try ctx.expectOutput(output, s)
    count = product(s)
  }

  func run(_ t: TensorTable, scratch: UnsafeMutablePointer<Float>) {
    let x = t[input], y = t[output]
    for i in 0..<count { y[i] = 1 / (1 + expf(-x[i])) }
  }
}
