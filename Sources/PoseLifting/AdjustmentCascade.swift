// PoseLifting: AITE's adjustment network at inference — the cascaded Disturbance-Correction Modules in
// evaluation mode (no disturbance), holding a pose to given bone lengths.

import Foundation
import PoseCore

/// K cascaded DCMs in evaluation mode, on one H36M-17 pose in the lifter's units (mm).
///
/// The formulas of PoseTraining's `DisturbanceCorrectionModule.forward` without the disturbance
/// (x̃ = x). Per stage, for bone k from parent p to child c with target length b_k:
/// d = x_c − x_p, l = √(‖d‖² + ε²) with ε = 1e-6 · featureScale, u = d / l, Δ = b_k − l; the head
/// (hidden ReLU layer, then output) on [x / featureScale, Δ / gapScale] gives per-joint logits a and
/// per-bone logits z; gate g_k = σ(z_k), child share s_k = σ(a_p − a_c) (1 for a root bone with
/// `pinRoot`); then, all bones from the same x and summed per joint,
/// y_c += g_k Δ s_k u and y_p −= g_k Δ (1 − s_k) u, y = x + Σ shifts.
final class AdjustmentCascade {
  /// The modules' shared configuration.
  let config: DCMConfig
  private let stages: [(hidden: PackedLinear, output: PackedLinear)]
  private let bones = H36M17.bones.map { (parent: $0.parent, child: $0.child) }

  /// Reads the `config.stages` modules named `prefix.dcm<i>` from `file`.
  ///
  /// - Throws: `LiftingError.badFile` for a missing tensor, a wrong shape or non-finite values.
  init(file: LifterFile, prefix: String, config: AdjustmentConfig) throws {
    self.config = config.module
    let (j, b, width) = (H36M17.count, H36M17.bones.count, config.module.hiddenWidth)
    stages = try (0..<config.stages).map { i in
      let head = "\(prefix).dcm\(i).head"
      let hidden = PackedLinear(
        weight: try file.tensor("\(head).hidden.weight", shape: [width, 3 * j + b]),
        bias: try file.row("\(head).hidden.bias", count: width), inputs: 3 * j + b, outputs: width,
        relu: true)
      let output = PackedLinear(
        weight: try file.tensor("\(head).output.weight", shape: [j + b, width]),
        bias: try file.row("\(head).output.bias", count: j + b), inputs: width, outputs: j + b, relu: false)
      return (hidden, output)
    }
  }

  /// Tensor names of the `config.stages` modules under `prefix`, to tell whether a file has them.
  static func tensorNames(prefix: String, stages: Int) -> [String] {
    (0..<stages).flatMap { i in
      ["hidden", "output"].flatMap { layer in
        ["weight", "bias"].map { "\(prefix).dcm\(i).head.\(layer).\($0)" }
      }
    }
  }

  /// The adjusted pose (51 values, x, y, z per joint) for `pose` (51 values) and the target bone lengths
  /// (16, `H36M17.bones` order), in the lifter's units.
  func adjust(_ pose: [Float], lengths: [Float], isa: Int32) -> [Float] {
    let (nj, nb) = (H36M17.count, bones.count)
    precondition(pose.count == 3 * nj && lengths.count == nb, "AdjustmentCascade: sizes")
    let e = Float(1e-6 * config.featureScale)
    let eps2 = e * e
    let invFeature = Float(1 / config.featureScale)
    let invGap = Float(1 / config.gapScale)
    var x = pose
    var headInput = [Float](repeating: 0, count: 3 * nj + nb)
    var hidden = [Float](repeating: 0, count: config.hiddenWidth)
    var out = [Float](repeating: 0, count: nj + nb)
    var direction = [Float](repeating: 0, count: 3 * nb)
    var gap = [Float](repeating: 0, count: nb)
    for stage in stages {
      for c in 0..<(3 * nj) { headInput[c] = x[c] * invFeature }
      for (k, bone) in bones.enumerated() {
        var d = SIMD3<Float>(repeating: 0)
        var s2: Float = 0
        for a in 0..<3 {
          d[a] = x[3 * bone.child + a] - x[3 * bone.parent + a]
          s2 += d[a] * d[a]
        }
        let l = (s2 + eps2).squareRoot()
        for a in 0..<3 { direction[3 * k + a] = d[a] / l }
        gap[k] = lengths[k] - l
        headInput[3 * nj + k] = gap[k] * invGap
      }
      headInput.withUnsafeBufferPointer { input in
        hidden.withUnsafeMutableBufferPointer { h in
          out.withUnsafeMutableBufferPointer { o in
            stage.hidden.apply(rows: 1, input.baseAddress!, h.baseAddress!, isa: isa, threads: 1)
            stage.output.apply(rows: 1, h.baseAddress!, o.baseAddress!, isa: isa, threads: 1)
          }
        }
      }
      var y = x
      for (k, bone) in bones.enumerated() {
        let share = config.pinRoot && bone.parent == 0 ? 1 : Self.sigmoid(out[bone.parent] - out[bone.child])
        let m = Self.sigmoid(out[nj + k]) * gap[k]
        for a in 0..<3 {
          let v = m * direction[3 * k + a]
          y[3 * bone.child + a] += share * v
          y[3 * bone.parent + a] -= (1 - share) * v
        }
      }
      x = y
    }
    return x
  }

  /// σ(x) = 1 / (1 + e^−x), computed without overflow for either sign.
  private static func sigmoid(_ x: Float) -> Float {
    if x >= 0 { return 1 / (1 + exp(-x)) }
    let e = exp(x)
    return e / (1 + e)
  }
}
