// PoseTraining: starting the unsupervised teacher from a supervised lifter — the teacher is fitted to the
// depths the supervised lifter gives the same 2D (brought into the teacher's normalised units), before
// its 2D-only training adapts it to the user's footage.

import PoseCore

/// The result of one warm-start step.
public struct UnsupervisedWarmStartReport: Sendable {
  /// The step's index (0-based).
  public var step: Int
  /// Distance between the teacher's pose and the supervised lifter's (normalised units).
  public var fit: Double
  /// The lifter's gradient norm before clipping.
  public var gradientNorm: Double
  /// The discriminator's loss (0 when the adversarial weight is 0).
  public var discriminatorLoss: Double
}

extension UnsupervisedTrainer {
  /// The supervised lifter's poses for normalised 2D rows `x` (B × 34), in the teacher's frame: x and y are
  /// the input itself, the depths are the supervised depths times the per-pose factor k that best maps the
  /// supervised x, y (mm) onto the input (least squares) — B × 51, normalised units, pelvis at the origin.
  public static func supervisedTargets(_ lifter: LifterModel, inputs x: Matrix<Float>) -> Matrix<Float> {
    let y = lifter.predict(x)  // B × 51, mm, root-relative
    let n = H36M17.count
    var depths = Matrix<Float>(rows: x.rows, columns: n - 1)
    for r in 0..<x.rows {
      var num = 0.0
      var den = 0.0
      for j in 0..<n {
        let (px, py) = (Double(y[r, 3 * j] - y[r, 0]), Double(y[r, 3 * j + 1] - y[r, 1]))
        num += px * Double(x[r, 2 * j]) + py * Double(x[r, 2 * j + 1])
        den += px * px + py * py
      }
      let k = den > 0 && num.isFinite ? num / den : 0
      for j in 1..<n { depths[r, j - 1] = Float(k * Double(y[r, 3 * j + 2] - y[r, 2])) }
    }
    return UnsupervisedGeometry.assemble(x, depths: depths)
  }

  /// One warm-start step on the pool `bank`: the lifter is moved towards the supervised lifter's poses
  /// (`supervisedTargets`, the distillation loss) and the discriminator learns real 2D against their
  /// rotated re-projections, so adversarial training starts matched. Counts no teacher step.
  public func warmStartStep(_ bank: Pose2DBank, from supervised: LifterModel, step: Int)
    -> UnsupervisedWarmStartReport
  {
    BLASThreads.set(config.threads)
    var g = Xoshiro256(seed: config.seed &+ 0x5EED_0000_0000_0001 &* UInt64(step + 1))
    let rows = (0..<config.batchSize).map { _ in g.below(bank.count) }
    let x = bank.inputs.gatherRows(rows)
    let target = Self.supervisedTargets(supervised, inputs: x)
    let (loss, norm) = fitUpdate(x, target: target, learningRate: config.student.distillationRate)
    let angles = rows.map { _ in Float(g.uniform(-config.rotationRange, config.rotationRange)) }
    let dLoss = discriminatorUpdate(real: x, rotating: target, angles: angles)
    return UnsupervisedWarmStartReport(step: step, fit: loss, gradientNorm: norm, discriminatorLoss: dLoss)
  }
}
