// PoseTrainingTests: the finite-difference gradient checker.

import Foundation
import PoseCore
import PoseTraining
import Testing

/// A tensor whose gradient is checked: how to read and write it, and the analytic gradient to compare.
struct CheckedTensor {
  var name: String
  var get: () -> Matrix<Double>
  var set: (Matrix<Double>) -> Void
  var analytic: Matrix<Double>
  /// Finite-difference step for this tensor (nil: the checker's default).
  var step: Double? = nil
}

/// Mutable holder for inputs captured by closures.
final class Box<T> {
  var value: T
  init(_ value: T) { self.value = value }
}

/// Gradient-check protocol used by every test (in Double precision, so the real code is checked without
/// Float rounding):
/// - central differences `(L(θ + h) − L(θ − h)) / 2h` for every element of every tensor, h = 1e-5 for
///   O(1) tensors (a tensor may set its own step, e.g. 1e-2 for poses in mm);
/// - probe losses are taken relative to the unperturbed output (`probeLoss(_:_:baseline:)`), so the
///   difference is not lost in the rounding of a large sum;
/// - pass when `|analytic − numeric| ≤ 1e-6 · max(|analytic|, |numeric|) + 1e-8` for all elements
///   (truncation error is O(h²) ≈ 1e-10 and rounding O(1e-16 · |L| / h) ≈ 1e-10 here).
/// Returns the failing elements (empty when all pass), the largest relative error and the count checked.
func finiteDifferenceCheck(
  _ tensors: [CheckedTensor], step h: Double = 1e-5, relativeTolerance: Double = 1e-6,
  absoluteTolerance: Double = 1e-8, loss: () -> Double
) -> (failures: [String], maxRelativeError: Double, checked: Int) {
  var failures: [String] = []
  var maxRel = 0.0
  var checked = 0
  for t in tensors {
    let original = t.get()
    let h = t.step ?? h
    precondition(original.shape == t.analytic.shape, "analytic gradient shape of \(t.name)")
    for i in 0..<original.count {
      var plus = original
      plus[i] += h
      t.set(plus)
      let lp = loss()
      var minus = original
      minus[i] -= h
      t.set(minus)
      let lm = loss()
      t.set(original)
      let numeric = (lp - lm) / (2 * h)
      let analytic = t.analytic[i]
      let diff = abs(analytic - numeric)
      let scale = max(abs(analytic), abs(numeric))
      maxRel = max(maxRel, diff / (scale + 1e-12))
      checked += 1
      if !(diff <= relativeTolerance * scale + absoluteTolerance) {
        failures.append("\(t.name)[\(i)]: analytic \(analytic), numeric \(numeric)")
      }
    }
  }
  return (failures, maxRel, checked)
}

/// A matrix of standard normal values.
func randomMatrix(_ rows: Int, _ columns: Int, _ rng: inout Xoshiro256, scale: Double = 1) -> Matrix<Double> {
  Matrix(rows: rows, columns: columns, values: (0..<(rows * columns)).map { _ in scale * rng.normal() })
}

/// Σ probe ⊙ (output − baseline): a scalar loss whose gradient with respect to the output is the probe.
func probeLoss(_ output: Matrix<Double>, _ probe: Matrix<Double>, baseline: Matrix<Double>) -> Double {
  var s = 0.0
  for i in 0..<output.count { s += probe[i] * (output[i] - baseline[i]) }
  return s
}

/// Checks a layer's input and parameter gradients with a random probe loss; `training` selects the mode,
/// and every forward pass starts from the same random stream so dropout masks repeat.
func checkLayer(
  _ layer: any Layer<Double>, input: Matrix<Double>, training: Bool, seed: UInt64 = 7,
  sourceLocation: SourceLocation = #_sourceLocation
) {
  var rng = Xoshiro256(seed: seed)
  let x = Box(input)
  let contextSeed = rng.next()
  func run() -> Matrix<Double> {
    var context = ForwardContext(training: training, rng: Xoshiro256(seed: contextSeed))
    return layer.forward(x.value, context: &context)
  }
  let probe = randomMatrix(input.rows, run().columns, &rng)
  for p in layer.parameters { p.zeroGradient() }
  _ = run()
  let dx = layer.backward(probe)
  var tensors = [CheckedTensor(name: "input", get: { x.value }, set: { x.value = $0 }, analytic: dx)]
  for p in layer.parameters {
    tensors.append(CheckedTensor(name: p.name, get: { p.value }, set: { p.value = $0 }, analytic: p.gradient))
  }
  let baseline = run()
  let result = finiteDifferenceCheck(tensors) { probeLoss(run(), probe, baseline: baseline) }
  #expect(result.checked > 0, sourceLocation: sourceLocation)
  #expect(result.failures.isEmpty, "\(result.failures.prefix(5))", sourceLocation: sourceLocation)
}
