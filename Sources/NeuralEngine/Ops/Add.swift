// NeuralEngine: ADD of two tensors (same shape, or numpy-style broadcast), with a fused activation.
import ModelFiles

final class AddKernel: Kernel {
  let a: Int, b: Int, output: Int
  let count: Int
  let act: FusedActivation
  /// For broadcasting: per output element, the flat index into a and b (nil when shapes are equal).
  let broadcast: (ai: [Int32], bi: [Int32])?
  let scratchCount = 0
  /// Threads for the loop (one for small tensors).
  let threads: Int

  init(_ ctx: PrepareContext) throws {
    guard case .add(let act) = ctx.op.options else { throw ctx.fail("missing AddOptions") }
    a = try ctx.dataInput(0)
    b = try ctx.dataInput(1)
    output = try ctx.output()
    self.act = try FusedActivation(act, ctx)
    let sa = ctx.shape(a), sb = ctx.shape(b)
    guard checkedCount(sa) != nil, checkedCount(sb) != nil else { throw ctx.fail("shapes \(sa) and \(sb)") }
    let rank = max(sa.count, sb.count)
    let pa = Array(repeating: 1, count: rank - sa.count) + sa
    let pb = Array(repeating: 1, count: rank - sb.count) + sb
    var so: [Int] = []
    for i in 0..<rank {
      guard pa[i] > 0, pb[i] > 0, pa[i] == pb[i] || pa[i] == 1 || pb[i] == 1 else {
        throw ctx.fail("shapes \(sa) and \(sb) do not broadcast")
      }
      so.append(max(pa[i], pb[i]))
    }
    try ctx.expectOutput(output, so)
    guard let n = checkedCount(so) else { throw ctx.fail("output shape \(so) is too large") }
    count = n
    threads = elementwiseThreads(ctx.threads, count: n)
    if sa == sb {
      broadcast = nil
    } else {
      var ai = [Int32](repeating: 0, count: count), bi = [Int32](repeating: 0, count: count)
      for flat in 0..<count {
        var rem = flat, ia = 0, ib = 0, sta = 1, stb = 1
        for d in stride(from: rank - 1, through: 0, by: -1) {
          let coord = rem % so[d]
          rem /= so[d]
          if pa[d] != 1 { ia += coord * sta }
          if pb[d] != 1 { ib += coord * stb }
          sta *= pa[d]
          stb *= pb[d]
        }
        ai[flat] = Int32(ia)
        bi[flat] = Int32(ib)
      }
      broadcast = (ai, bi)
    }
  }

  func run(_ t: TensorTable, scratch: UnsafeMutablePointer<Float>) {
    let x = t[a], y = t[b], z = t[output]
    // Split like the convolutions that wrote x and y: each thread adds the rows it wrote.
    parallelRows(count, threads: threads, minimum: 1024) { r in
      if let (ai, bi) = broadcast {
        for i in r { z[i] = x[Int(ai[i])] + y[Int(bi[i])] }
      } else {
        for i in r { z[i] = x[i] + y[i] }
      }
      applyActivation(act, z + r.lowerBound, r.count)
    }
  }
}
