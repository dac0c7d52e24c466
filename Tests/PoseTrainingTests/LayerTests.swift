// PoseTrainingTests: matrix products, layer forward values and finite-difference gradient checks.

import Foundation
import PoseLifting
import Testing

@testable import PoseTraining

@Suite struct MatrixTests {
  /// Naive triple loop for comparison with BLAS.
  func naive(_ a: Matrix<Double>, _ b: Matrix<Double>, _ ta: Bool, _ tb: Bool) -> Matrix<Double> {
    let m = ta ? a.columns : a.rows
    let k = ta ? a.rows : a.columns
    let n = tb ? b.rows : b.columns
    var c = Matrix<Double>(rows: m, columns: n)
    for i in 0..<m {
      for j in 0..<n {
        var s = 0.0
        for p in 0..<k { s += (ta ? a[p, i] : a[i, p]) * (tb ? b[j, p] : b[p, j]) }
        c[i, j] = s
      }
    }
    return c
  }

  @Test func productMatchesNaiveForEveryTransposeCombination() {
    var rng = Xoshiro256(seed: 1)
    for (ta, tb) in [(false, false), (true, false), (false, true), (true, true)] {
      let a = ta ? randomMatrix(4, 3, &rng) : randomMatrix(3, 4, &rng)
      let b = tb ? randomMatrix(5, 4, &rng) : randomMatrix(4, 5, &rng)
      let c = Matrix.product(a, b, transposeA: ta, transposeB: tb)
      let ref = naive(a, b, ta, tb)
      #expect(c.shape == [3, 5])
      for i in 0..<c.count { #expect(abs(c[i] - ref[i]) < 1e-12) }
      let cf = Matrix.product(
        a.converted(to: Float.self), b.converted(to: Float.self), transposeA: ta, transposeB: tb)
      for i in 0..<c.count { #expect(abs(Double(cf[i]) - ref[i]) < 1e-5) }
    }
  }

  @Test func addProductAccumulates() {
    let a = Matrix<Double>(rows: 2, columns: 2, values: [1, 2, 3, 4])
    var c = Matrix<Double>(rows: 2, columns: 2, values: [10, 20, 30, 40])
    c.addProduct(a, a, alpha: 2)
    // a·a = [[7, 10], [15, 22]]
    #expect(c.values == [24, 40, 60, 84])
  }

  @Test func checkedInitRejectsWrongCounts() {
    #expect(throws: TrainingError.self) {
      try Matrix<Float>(rows: 2, columns: 3, checking: [1, 2], what: "x")
    }
    #expect(throws: TrainingError.self) { try Matrix<Float>(rows: -1, columns: -1, checking: [1], what: "x") }
  }
}

@Suite struct LayerForwardTests {
  @Test func linearComputesXWTransposedPlusBias() {
    var rng = Xoshiro256(seed: 3)
    let layer = Linear<Double>(name: "l", inputs: 2, outputs: 3, rng: &rng)
    layer.weight.value = Matrix(rows: 3, columns: 2, values: [1, 2, 3, 4, 5, 6])
    layer.bias.value = Matrix(rows: 1, columns: 3, values: [0.5, -1, 2])
    var context = ForwardContext(training: false)
    let y = layer.forward(Matrix(rows: 1, columns: 2, values: [1, -1]), context: &context)
    let expected: [Double] = [-0.5, -2, 1]  // [1 − 2 + 0.5, 3 − 4 − 1, 5 − 6 + 2]
    #expect(y.values == expected)
  }

  @Test func heInitialisationHasVarianceTwoOverFanIn() {
    var rng = Xoshiro256(seed: 11)
    let layer = Linear<Double>(name: "l", inputs: 200, outputs: 300, rng: &rng)
    let w = layer.weight.value.values
    let mean = w.reduce(0, +) / Double(w.count)
    let variance = w.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Double(w.count)
    // 60 000 samples: the variance estimate's relative standard error is √(2/60 000) ≈ 0.6 %.
    #expect(abs(variance / (2.0 / 200) - 1) < 0.03)
    #expect(abs(mean) < 0.002)
    #expect(layer.bias.value.values.allSatisfy { $0 == 0 })
    var rng2 = Xoshiro256(seed: 11)
    let again = Linear<Double>(name: "l", inputs: 200, outputs: 300, rng: &rng2)
    #expect(again.weight.value == layer.weight.value, "same seed, same weights")
  }

  @Test func batchNormNormalisesInTrainingAndUsesRunningStatsInEvaluation() {
    let bn = BatchNorm<Double>(name: "bn", features: 2, momentum: 0.5)
    let x = Matrix<Double>(rows: 4, columns: 2, values: [1, 10, 2, 20, 3, 30, 4, 40])
    var train = ForwardContext(training: true)
    let y = bn.forward(x, context: &train)
    // Column 0: mean 2.5, biased variance 1.25.
    let expected0 = [1.0, 2, 3, 4].map { ($0 - 2.5) / (1.25 + 1e-5).squareRoot() }
    for r in 0..<4 { #expect(abs(y[r, 0] - expected0[r]) < 1e-12) }
    // Running stats with momentum 0.5: mean 0.5·0 + 0.5·2.5; variance 0.5·1 + 0.5·(1.25·4/3).
    #expect(abs(bn.runningMean.value[0] - 1.25) < 1e-12)
    #expect(abs(bn.runningVariance.value[0] - (0.5 + 0.5 * 1.25 * 4 / 3)) < 1e-12)
    var eval = ForwardContext(training: false)
    let z = bn.forward(Matrix(rows: 1, columns: 2, values: [1.25, 25]), context: &eval)
    #expect(abs(z[0, 0]) < 1e-12, "the running mean maps to 0 in evaluation")
  }

  @Test func dropoutZeroesAboutRateAndScalesSurvivorsOnlyInTraining() {
    let drop = Dropout<Double>(rate: 0.25)
    let x = Matrix<Double>(rows: 100, columns: 100, repeating: 1)
    var train = ForwardContext(training: true, rng: Xoshiro256(seed: 5))
    let y = drop.forward(x, context: &train)
    let zeros = y.values.filter { $0 == 0 }.count
    #expect(abs(Double(zeros) / 10_000 - 0.25) < 0.02)
    #expect(y.values.allSatisfy { $0 == 0 || abs($0 - 4.0 / 3) < 1e-12 })
    var eval = ForwardContext(training: false)
    #expect(drop.forward(x, context: &eval) == x)
    var again = ForwardContext(training: true, rng: Xoshiro256(seed: 5))
    #expect(drop.forward(x, context: &again) == y, "same stream, same mask")
  }

  @Test func floatAndDoubleNetworksAgree() throws {
    var rng = Xoshiro256(seed: 21)
    let config = ResidualMLPConfig(inputs: 6, outputs: 4, width: 16, blocks: 2, dropout: 0)
    var r1 = rng
    let d = try ResidualMLP<Double>(name: "n", config: config, rng: &r1)
    let f = try ResidualMLP<Float>(name: "n", config: config, rng: &rng)
    let x = randomMatrix(8, 6, &rng)
    var c1 = ForwardContext(training: true)
    var c2 = ForwardContext(training: true)
    let yd = d.forward(x, context: &c1)
    let yf = f.forward(x.converted(to: Float.self), context: &c2)
    for i in 0..<yd.count { #expect(abs(Double(yf[i]) - yd[i]) < 1e-4 * max(1, abs(yd[i]))) }
  }
}

@Suite struct GradientCheckTests {
  @Test func linear() {
    var rng = Xoshiro256(seed: 1)
    let layer = Linear<Double>(name: "linear", inputs: 4, outputs: 3, rng: &rng)
    layer.bias.value = randomMatrix(1, 3, &rng)
    checkLayer(layer, input: randomMatrix(5, 4, &rng), training: true)
  }

  @Test func batchNormTrainingMode() {
    var rng = Xoshiro256(seed: 2)
    let bn = BatchNorm<Double>(name: "bn", features: 3)
    bn.scale.value = randomMatrix(1, 3, &rng)
    bn.shift.value = randomMatrix(1, 3, &rng)
    checkLayer(bn, input: randomMatrix(6, 3, &rng, scale: 2), training: true)
  }

  @Test func batchNormEvaluationMode() {
    var rng = Xoshiro256(seed: 3)
    let bn = BatchNorm<Double>(name: "bn", features: 3)
    bn.scale.value = randomMatrix(1, 3, &rng)
    bn.runningMean.value = randomMatrix(1, 3, &rng)
    bn.runningVariance.value = Matrix(rows: 1, columns: 3, values: [0.5, 2, 3])
    checkLayer(bn, input: randomMatrix(4, 3, &rng), training: false)
  }

  @Test func layerNorm() {
    var rng = Xoshiro256(seed: 4)
    let ln = LayerNorm<Double>(name: "ln", features: 5)
    ln.scale.value = randomMatrix(1, 5, &rng)
    ln.shift.value = randomMatrix(1, 5, &rng)
    checkLayer(ln, input: randomMatrix(3, 5, &rng, scale: 3), training: true)
  }

  @Test func reluAwayFromZero() {
    var rng = Xoshiro256(seed: 5)
    // Inputs at least 0.1 away from the kink, so ±h never crosses it.
    var x = randomMatrix(4, 6, &rng)
    for i in 0..<x.count { x[i] = (x[i] < 0 ? -0.1 : 0.1) + x[i] }
    checkLayer(ReLU<Double>(), input: x, training: true)
  }

  @Test func dropoutWithAFixedMask() {
    var rng = Xoshiro256(seed: 6)
    checkLayer(Dropout<Double>(rate: 0.4), input: randomMatrix(5, 5, &rng), training: true)
  }

  @Test(arguments: [Normalization.batch, .layer, .none])
  func residualBlock(_ norm: Normalization) {
    var rng = Xoshiro256(seed: 7)
    let block = ResidualBlock<Double>(name: "block", width: 6, dropout: 0.2, normalization: norm, rng: &rng)
    checkLayer(block, input: randomMatrix(5, 6, &rng), training: true)
  }

  @Test func twoBlockMLPEndToEndThroughTheLoss() throws {
    var rng = Xoshiro256(seed: 8)
    let config = ResidualMLPConfig(inputs: 4, outputs: 6, width: 8, blocks: 2, dropout: 0.25)
    let mlp = try ResidualMLP<Double>(name: "mlp", config: config, rng: &rng)
    let x = Box(randomMatrix(6, 4, &rng))
    let target = randomMatrix(6, 6, &rng)
    let contextSeed = rng.next()
    func forward() -> Matrix<Double> {
      var context = ForwardContext(training: true, rng: Xoshiro256(seed: contextSeed))
      return mlp.forward(x.value, context: &context)
    }
    let loss = Loss.meanJointDistance(forward(), target)
    for p in mlp.parameters { p.zeroGradient() }
    let dx = mlp.backward(loss.gradient)
    var tensors = [CheckedTensor(name: "input", get: { x.value }, set: { x.value = $0 }, analytic: dx)]
    for p in mlp.parameters {
      tensors.append(
        CheckedTensor(name: p.name, get: { p.value }, set: { p.value = $0 }, analytic: p.gradient))
    }
    let result = finiteDifferenceCheck(tensors) { Loss.meanJointDistance(forward(), target).value }
    #expect(result.checked == 4 * 6 + mlp.parameters.reduce(0) { $0 + $1.value.count })
    #expect(result.failures.isEmpty, "\(result.failures.prefix(5))")
  }

  @Test func losses() {
    var rng = Xoshiro256(seed: 9)
    let prediction = Box(randomMatrix(3, 9, &rng))
    let target = randomMatrix(3, 9, &rng)
    for kind in [Loss.Kind.meanJointDistance, .meanSquaredError] {
      let analytic = Loss.compute(kind, prediction.value, target).gradient
      let result = finiteDifferenceCheck([
        CheckedTensor(
          name: "\(kind)", get: { prediction.value }, set: { prediction.value = $0 }, analytic: analytic)
      ]) { Loss.compute(kind, prediction.value, target).value }
      #expect(result.failures.isEmpty, "\(result.failures.prefix(5))")
    }
  }

  @Test func lossValues() {
    let p = Matrix<Double>(rows: 1, columns: 6, values: [3, 4, 0, 1, 1, 1])
    let y = Matrix<Double>(rows: 1, columns: 6, values: [0, 0, 0, 1, 1, 1])
    #expect(Loss.meanJointDistance(p, y).value == 2.5)  // (5 + 0) / 2
    #expect(Loss.meanJointDistance(p, y).gradient.values == [0.3, 0.4, 0, 0, 0, 0])
    #expect(Loss.meanSquaredError(p, y).value == 25.0 / 6)
  }
}

/// The element-wise passes split over threads and the fused batch norm → ReLU → dropout passes give the
/// same bits as one thread and as the layers run one by one (and as the plain loops they replaced).
///
/// No matrix products here: OpenBLAS's own thread count is global and other tests change it.
@Suite struct ParallelPassTests {
  /// A stand-alone parameter large enough that the gradient norm and Adam split too.
  final class Extra: ParameterContainer {
    typealias Scalar = Float
    let tensor: Parameter<Float>
    init(_ value: Matrix<Float>) { tensor = Parameter(name: "extra", value: value, decays: true) }
    var parameters: [Parameter<Float>] { [tensor] }
  }

  /// A few training steps through batch norm, ReLU, dropout and layer norm (fused by `Sequential`, or
  /// layer by layer) and the matrix helpers; per step the outputs, input gradients, derived matrices, the
  /// gradient norm, then every parameter (after Adam) and buffer, all as raw bits.
  func trainingRun(threads: Int, fused: Bool = true, rows n: Int = 300, features f: Int = 255) throws
    -> [[UInt32]]
  {
    try ParallelLoops.$override.withValue(threads) {
      var rng = Xoshiro256(seed: 41)
      let bn1 = BatchNorm<Float>(name: "bn1", features: f)
      let ln = LayerNorm<Float>(name: "ln", features: f)
      let bn2 = BatchNorm<Float>(name: "bn2", features: f)
      for p in [bn1.scale, bn1.shift, ln.scale, ln.shift, bn2.scale, bn2.shift] {
        p.value = randomMatrix(1, f, &rng).converted(to: Float.self)
      }
      let stack = Sequential<Float>([
        bn1, ReLU(), Dropout(rate: 0.5), ln, ReLU(), Dropout(rate: 0.3), bn2, ReLU(),
      ])
      let extra = Extra(randomMatrix(1100, f, &rng).converted(to: Float.self))
      let set = try ParameterSet([stack, extra])
      let adam = try Adam<Float>(settings: AdamSettings(weightDecay: 1e-4))
      var record: [[UInt32]] = []
      for _ in 0..<3 {
        let x = randomMatrix(n, f, &rng, scale: 2).converted(to: Float.self)
        let target = randomMatrix(n, f, &rng).converted(to: Float.self)
        var context = ForwardContext(training: true, rng: rng.split())
        var y = x
        var dx: Matrix<Float>
        if fused {
          y = stack.forward(x, context: &context)
          dx = stack.backward(Loss.meanJointDistance(y, target).gradient)
        } else {
          for layer in stack.layers { y = layer.forward(y, context: &context) }
          dx = Loss.meanJointDistance(y, target).gradient
          for layer in stack.layers.reversed() { dx = layer.backward(dx) }
        }
        extra.tensor.gradient.add(randomMatrix(1100, f, &rng).converted(to: Float.self), scale: 0.5)
        let sums = dx.columnSums()
        var shifted = x
        shifted.addRowVector(sums)
        shifted.add(dx, scale: 3)
        shifted.scale(by: 0.25)
        record += [y, dx, sums, shifted].map { $0.values.map(\.bitPattern) }
        let norm = set.gradientNorm.bitPattern
        record.append([UInt32(truncatingIfNeeded: norm), UInt32(truncatingIfNeeded: norm >> 32)])
        adam.update(set.parameters, learningRate: 1e-3, threads: threads)
        set.zeroGradients()
        #expect(set.parameters.allSatisfy { $0.gradient.values.allSatisfy { $0 == 0 } })
        for p in set.parameters { record.append(p.value.values.map(\.bitPattern)) }
        for b in set.buffers { record.append(b.value.values.map(\.bitPattern)) }
      }
      var evaluation = ForwardContext(training: false)
      let x = randomMatrix(7, f, &rng).converted(to: Float.self)
      record.append(stack.forward(x, context: &evaluation).values.map(\.bitPattern))
      return record
    }
  }

  @Test func twoAndThreeThreadsGiveTheBitsOfOne() throws {
    // The sizes are large enough that every pass does split.
    ParallelLoops.$override.withValue(2) {
      #expect(ParallelLoops.parts(count: 300 * 255, grain: ParallelLoops.elementGrain) == 2)
      #expect(ParallelLoops.parts(count: 255, grain: ParallelLoops.columnGrain(rows: 300)) == 2)
      #expect(ParallelLoops.parts(count: 300, grain: ParallelLoops.rowGrain(columns: 255)) == 2)
      #expect(ParallelLoops.parts(count: 1100 * 255, grain: 4 * ParallelLoops.elementGrain) == 2)
    }
    let one = try trainingRun(threads: 1)
    #expect(one.count == 3 * (5 + 7 + 4) + 1)
    for threads in [2, 3] {
      let other = try trainingRun(threads: threads)
      #expect(one.count == other.count)
      for i in 0..<min(one.count, other.count) where one[i] != other[i] {
        Issue.record("record \(i) differs between 1 and \(threads) threads")
      }
    }
  }

  @Test func fusedPassesGiveTheBitsOfSeparateLayers() throws {
    let fused = try trainingRun(threads: 2)
    let separate = try trainingRun(threads: 2, fused: false)
    #expect(fused.count == separate.count)
    for i in 0..<min(fused.count, separate.count) where fused[i] != separate[i] {
      Issue.record("record \(i) differs between fused and separate layers")
    }
  }

  /// The plain serial loops the batch-norm, ReLU and dropout passes had before they were split and fused.
  @Test func batchNormReLUDropoutMatchPlainLoops() {
    let (n, f) = (300, 200)
    var rng = Xoshiro256(seed: 42)
    let x = randomMatrix(n, f, &rng, scale: 3).converted(to: Float.self)
    let g = randomMatrix(n, f, &rng).converted(to: Float.self)
    let gamma = randomMatrix(1, f, &rng).converted(to: Float.self).values
    let beta = randomMatrix(1, f, &rng).converted(to: Float.self).values
    let bn = BatchNorm<Float>(name: "bn", features: f)
    bn.scale.value = Matrix(rows: 1, columns: f, values: gamma)
    bn.shift.value = Matrix(rows: 1, columns: f, values: beta)
    let stack = Sequential<Float>([bn, ReLU(), Dropout(rate: 0.3)])
    let seed = rng.next()
    var context = ForwardContext(training: true, rng: Xoshiro256(seed: seed))
    let (y, dx) = ParallelLoops.$override.withValue(2) {
      (stack.forward(x, context: &context), stack.backward(g))
    }

    // Reference: the serial loops, element by element.
    var mean = [Float](repeating: 0, count: f)
    var variance = [Float](repeating: 0, count: f)
    for r in 0..<n { for c in 0..<f { mean[c] += x[r, c] } }
    for c in 0..<f { mean[c] /= Float(n) }
    for r in 0..<n {
      for c in 0..<f {
        let d = x[r, c] - mean[c]
        variance[c] += d * d
      }
    }
    for c in 0..<f { variance[c] /= Float(n) }
    let inv = variance.map { 1 / ($0 + Float(1e-5)).squareRoot() }
    var reference = ForwardContext(training: true, rng: Xoshiro256(seed: seed))
    let keep = Float(1 / (1 - 0.3))
    var xHat = [Float](repeating: 0, count: n * f)
    var reluIn = [Float](repeating: 0, count: n * f)
    var mask = [Float](repeating: 0, count: n * f)
    var expected = [Float](repeating: 0, count: n * f)
    for i in 0..<(n * f) where reference.rng.uniform() >= 0.3 { mask[i] = keep }
    for r in 0..<n {
      for c in 0..<f {
        let i = r * f + c
        xHat[i] = (x[i] - mean[c]) * inv[c]
        reluIn[i] = gamma[c] * xHat[i] + beta[c]
        expected[i] = (reluIn[i] > 0 ? reluIn[i] : 0) * mask[i]
      }
    }
    #expect(y.values == expected)
    #expect(context.rng == reference.rng, "one draw per element")
    #expect(mask.contains(0) && mask.contains(keep))
    var dy = [Float](repeating: 0, count: n * f)
    var dShift = [Float](repeating: 0, count: f)
    var dScale = [Float](repeating: 0, count: f)
    for i in 0..<(n * f) { dy[i] = reluIn[i] > 0 ? g[i] * mask[i] : 0 }
    for r in 0..<n {
      for c in 0..<f {
        dShift[c] += dy[r * f + c]
        dScale[c] += dy[r * f + c] * xHat[r * f + c]
      }
    }
    var expectedDx = [Float](repeating: 0, count: n * f)
    for r in 0..<n {
      for c in 0..<f {
        let k = gamma[c] * inv[c] / Float(n)
        expectedDx[r * f + c] = k * (Float(n) * dy[r * f + c] - dShift[c] - xHat[r * f + c] * dScale[c])
      }
    }
    #expect(dx.values == expectedDx)
    #expect(bn.shift.gradient.values == dShift)
    #expect(bn.scale.gradient.values == dScale)
    #expect(bn.runningMean.value.values == mean.map { 0.9 * 0 + 0.1 * $0 })
  }
}
