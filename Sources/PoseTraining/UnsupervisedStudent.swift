// PoseTraining: the student of unsupervised lifting (PoseNet3D, 3DV 2020) — distillation of the teacher's
// 3D into a second lifter, then a joint fine-tune of teacher and student with a scale-aware temporal
// smoothness loss over neighbouring frames of one 2D sequence, all from 2D alone.

import Foundation
import PoseCore
import PoseLifting

/// Settings of the student stages (part of `UnsupervisedConfig`, saved with every lifter file).
public struct UnsupervisedStudentConfig: Codable, Sendable, Equatable {
  /// The student's network (nil: the same shape as the teacher's `network`); 34 → 16 depths.
  public var network: ResidualMLPConfig? = nil
  /// Learning rate of the student during distillation.
  public var distillationRate: Double = 3e-4
  /// Learning rate of both lifters during the joint fine-tune (D keeps `discriminatorRate`).
  public var finetuneRate: Double = 5e-5
  /// Weight of the distillation loss (student → teacher's pose) during the fine-tune.
  public var distillationWeight: Double = 1
  /// Weight of the temporal loss during the fine-tune (on the student and, when `finetuneTeacher`, on the
  /// teacher).
  public var temporalWeight: Double = 1
  /// Frames per temporal window: 2 penalises the change between neighbours (velocity), 3 the second
  /// difference (acceleration).
  public var temporalFrames: Int = 2
  /// Frame numbers between the members of a window (1: consecutive frames).
  public var temporalGap: Int = 1
  /// Whether the teacher is updated during the fine-tune (its own losses plus the temporal loss); false
  /// keeps it fixed as the distillation target.
  public var finetuneTeacher: Bool = true
  /// Whether the discriminator keeps training during distillation, on the same real rows against the
  /// teacher's rotated re-projections, so the fine-tune starts with a D matched to the teacher (also when
  /// the teacher was loaded from a file and D is new).
  public var distillationTrainsDiscriminator: Bool = true

  /// The defaults.
  public init() {}

  /// Checks the values.
  public func validate() throws {
    if let network {
      try TrainingError.converting { try network.validate() }
      guard network.inputs == KeypointNormalization.inputCount, network.outputs == H36M17.count - 1 else {
        throw TrainingError.invalidConfiguration(
          "the student maps 34 inputs to 16 depths (got \(network.inputs) → \(network.outputs))")
      }
    }
    let rates = [distillationRate, finetuneRate]
    let weights = [distillationWeight, temporalWeight]
    guard rates.allSatisfy({ $0 > 0 && $0.isFinite }) else {
      throw TrainingError.invalidConfiguration(
        "student learning rates must be positive and finite (distillationRate \(distillationRate), "
          + "finetuneRate \(finetuneRate))")
    }
    guard weights.allSatisfy({ $0 >= 0 && $0.isFinite }) else {
      throw TrainingError.invalidConfiguration(
        "student loss weights must be ≥ 0 and finite (distillationWeight \(distillationWeight), "
          + "temporalWeight \(temporalWeight))")
    }
    guard temporalFrames == 2 || temporalFrames == 3 else {
      throw TrainingError.invalidConfiguration("temporalFrames must be 2 or 3 (got \(temporalFrames))")
    }
    guard (1...Pose2DBank.maxWindowGap).contains(temporalGap) else {
      throw TrainingError.invalidConfiguration(
        "temporalGap must be 1…\(Pose2DBank.maxWindowGap) frames (got \(temporalGap))")
    }
  }
}

extension UnsupervisedStudentConfig {
  /// Reads the settings; missing keys take their defaults.
  public init(from decoder: Decoder) throws {
    let c = try decoder.container(keyedBy: CodingKeys.self)
    self.init()
    network = try c.decodeIfPresent(ResidualMLPConfig.self, forKey: .network) ?? network
    distillationRate = try c.decodeIfPresent(Double.self, forKey: .distillationRate) ?? distillationRate
    finetuneRate = try c.decodeIfPresent(Double.self, forKey: .finetuneRate) ?? finetuneRate
    distillationWeight = try c.decodeIfPresent(Double.self, forKey: .distillationWeight) ?? distillationWeight
    temporalWeight = try c.decodeIfPresent(Double.self, forKey: .temporalWeight) ?? temporalWeight
    temporalFrames = try c.decodeIfPresent(Int.self, forKey: .temporalFrames) ?? temporalFrames
    temporalGap = try c.decodeIfPresent(Int.self, forKey: .temporalGap) ?? temporalGap
    finetuneTeacher = try c.decodeIfPresent(Bool.self, forKey: .finetuneTeacher) ?? finetuneTeacher
    distillationTrainsDiscriminator =
      try c.decodeIfPresent(Bool.self, forKey: .distillationTrainsDiscriminator)
      ?? distillationTrainsDiscriminator
  }
}

extension UnsupervisedGeometry {
  /// The coefficients of the finite difference over a window of `frames` (2 or 3) poses (2: P₁ − P₀;
  /// 3: P₂ − 2P₁ + P₀).
  public static func temporalCoefficients(frames: Int) -> [Double] {
    frames == 3 ? [1, -2, 1] : [-1, 1]
  }

  /// The root mean square of the 16 bone lengths of each pose of `p` (B × 51): a body size that one person
  /// keeps over time, exactly proportional to the pose's scale.
  public static func rmsBoneLength<S: TrainingScalar>(_ p: Matrix<S>) -> [S] {
    (0..<p.rows).map { r in
      var sum: S = 0
      for bone in H36M17.bones {
        for a in 0..<3 {
          let d = p[r, 3 * bone.child + a] - p[r, 3 * bone.parent + a]
          sum += d * d
        }
      }
      return (sum / S(H36M17.bones.count)).squareRoot()
    }
  }

  /// Scale-aware temporal smoothness of lifted poses. `p` (B × 51, root-relative) holds B / `frames`
  /// windows of `frames` neighbouring frames of one sequence, each window's rows consecutive and in time
  /// order.
  ///
  /// Every frame's pose is in the units of its own 2D normalisation (its 2D RMS radius), which changes
  /// from frame to frame even for a rigid body, so poses are first brought to one normalisation that a
  /// person keeps over time: P̄ = P / b(P), b the RMS bone length (`rmsBoneLength`). Then, with D_j the
  /// finite difference over the window (`temporalCoefficients`) of joint j of P̄,
  ///
  ///     L = mean over windows and joints of √(‖D_j‖² + ε²)
  ///
  /// (ε = `smoothing`). L does not change when any frame's pose is scaled, and is ε for a still body (a
  /// degenerate pose whose bones all have length 0 is taken as the zero pose). Returns L and ∂L/∂P.
  public static func temporalLoss<S: TrainingScalar>(_ p: Matrix<S>, frames: Int, smoothing: Double)
    -> LossResult<S>
  {
    precondition(p.columns == 3 * joints && (frames == 2 || frames == 3) && p.rows % frames == 0)
    var g = Matrix<S>(rows: p.rows, columns: p.columns)
    let windows = p.rows / frames
    guard windows > 0 else { return LossResult(value: 0, gradient: g) }
    let coefficients = temporalCoefficients(frames: frames).map { S($0) }
    let sizes = rmsBoneLength(p)
    let factor = sizes.map { $0 > 0 ? 1 / $0 : 0 }
    let eps2 = S(smoothing * smoothing)
    let n = S(windows * joints)
    var total = 0.0
    // ∂L/∂P̄ into g first.
    for w in 0..<windows {
      let base = w * frames
      for j in 0..<joints {
        var d = [S](repeating: 0, count: 3)
        for (i, c) in coefficients.enumerated() {
          for a in 0..<3 { d[a] += c * factor[base + i] * p[base + i, 3 * j + a] }
        }
        let dist = (d[0] * d[0] + d[1] * d[1] + d[2] * d[2] + eps2).squareRoot()
        total += Double(dist)
        guard dist > 0 else { continue }
        for (i, c) in coefficients.enumerated() {
          for a in 0..<3 { g[base + i, 3 * j + a] = c * d[a] / (dist * n) }
        }
      }
    }
    // P̄ = f·P with f = 1/b, b² = Σₖ‖bₖ‖²/16: ∂L/∂P = f·∂L/∂P̄ + (∂L/∂P̄ · P)·∂f/∂P, and
    // ∂f/∂(child − parent of bone k) = −f³·bₖ/16.
    var out = Matrix<S>(rows: p.rows, columns: p.columns)
    let boneCount = S(H36M17.bones.count)
    for r in 0..<p.rows {
      let f = factor[r]
      var dot: S = 0
      for c in 0..<p.columns {
        dot += g[r, c] * p[r, c]
        out[r, c] = f * g[r, c]
      }
      let k = -dot * f * f * f / boneCount
      guard k != 0 else { continue }
      for bone in H36M17.bones {
        for a in 0..<3 {
          let d = k * (p[r, 3 * bone.child + a] - p[r, 3 * bone.parent + a])
          out[r, 3 * bone.child + a] += d
          out[r, 3 * bone.parent + a] -= d
        }
      }
    }
    return LossResult(value: total / Double(n), gradient: out)
  }

  /// Distillation: mean over poses and joints of √(‖P_j − T_j‖² + ε²) between the student's poses `p`
  /// and the teacher's `teacher` (both B × 51 in the units of the same normalised input, so they are
  /// compared directly), and ∂L/∂P (the teacher is a constant).
  public static func distillationLoss<S: TrainingScalar>(
    _ p: Matrix<S>, teacher: Matrix<S>, smoothing: Double
  ) -> LossResult<S> {
    precondition(p.columns == 3 * joints && p.rows == teacher.rows && p.columns == teacher.columns)
    return Loss.meanJointDistance(p, teacher, dimensions: 3, smoothing: smoothing)
  }
}

/// What one distillation step reports.
public struct UnsupervisedDistillationReport: Sendable {
  /// 0-based distillation step.
  public var step: Int
  /// The distillation loss (mean joint distance to the teacher, normalised units).
  public var distillation: Double
  /// The student's gradient norm before clipping.
  public var gradientNorm: Double
  /// The discriminator's loss (0 unless `distillationTrainsDiscriminator`).
  public var discriminatorLoss: Double = 0
}

/// What one fine-tune step reports.
public struct UnsupervisedFinetuneReport: Sendable {
  /// 0-based fine-tune step.
  public var step: Int
  /// The teacher's losses (including `temporal`; from a pass without update when the teacher is fixed).
  public var teacher: UnsupervisedLosses
  /// The student's losses (including `temporal` and `distillation`).
  public var student: UnsupervisedLosses
  /// The discriminator's loss on real 2D against both lifters' re-projections.
  public var discriminatorLoss: Double
  /// The student's gradient norm before clipping.
  public var gradientNorm: Double
}

/// The student stages of PoseNet3D-style training, from 2D alone.
///
/// 1. **Distillation** (`distillStep`): B rows drawn uniformly from the pool; the student S is trained
///    to match the teacher's lifted poses, L = `distillationLoss`(S(x), T(x)), T fixed; with
///    `distillationTrainsDiscriminator`, D is updated on x against the re-projections of T(x) rotated by
///    B random angles (as in the teacher's steps).
/// 2. **Joint fine-tune** (`finetuneStep`): B / F windows of F neighbouring frames of one sequence
///    (`Pose2DBank.windows`), one angle per row. The teacher takes its own objective (self-consistency,
///    adversarial, priors) plus w_t·`temporalLoss`; the student takes the same objective plus
///    w_t·`temporalLoss` + w_d·`distillationLoss` towards the teacher's poses of the same rows (before the
///    teacher's update); then the shared discriminator is updated on the real rows against both lifters'
///    re-projections.
///
/// Both stages only receive a `Pose2DBank` (2D and frame numbers); nothing here can read 3D. Batches and
/// angles come from streams seeded by the configuration's seed and the stage's step.
public final class UnsupervisedStudentTrainer {
  /// The configuration (the teacher's; the student's network is `student.network ?? network`).
  public let config: UnsupervisedConfig
  /// The teacher (its lifter, its discriminator — shared with the student — and their optimisers).
  public let teacher: UnsupervisedTrainer
  /// The student (its lifter is named `student`; its configuration's `network` is the student's).
  public let student: UnsupervisedTrainer
  /// Distillation steps done.
  public private(set) var distillationStep = 0
  /// Fine-tune steps done.
  public private(set) var finetuneStep = 0
  private let seed: UInt64

  /// A new student (random weights from the configuration's seed) for `teacher`.
  public init(teacher: UnsupervisedTrainer) throws {
    self.teacher = teacher
    config = teacher.config
    var studentConfig = config
    studentConfig.network = config.student.network ?? config.network
    studentConfig.seed = config.seed &+ 0x5EED_57DE_0000_0001
    student = try UnsupervisedTrainer(
      config: studentConfig, name: "student", discriminator: teacher.objective.discriminator)
    seed = studentConfig.seed
  }

  /// One distillation step on the pool `bank`.
  @discardableResult
  public func distillStep(_ bank: Pose2DBank) -> UnsupervisedDistillationReport {
    BLASThreads.set(config.threads)
    var g = Xoshiro256(seed: seed &+ 0xD157_1111_0000_0000 &* UInt64(distillationStep + 1))
    let rows = (0..<config.batchSize).map { _ in g.below(bank.count) }
    let x = bank.inputs.gatherRows(rows)
    let target = teacher.objective.poses(x)
    let (loss, norm) = student.fitUpdate(x, target: target, learningRate: config.student.distillationRate)
    var dLoss = 0.0
    if config.student.distillationTrainsDiscriminator {
      let angles = rows.map { _ in Float(g.uniform(-config.rotationRange, config.rotationRange)) }
      dLoss = teacher.discriminatorUpdate(real: x, rotating: target, angles: angles)
    }
    let report = UnsupervisedDistillationReport(
      step: distillationStep, distillation: loss, gradientNorm: norm, discriminatorLoss: dLoss)
    distillationStep += 1
    student.step += 1
    return report
  }

  /// The rows (windows flattened, each in time order) and angles of fine-tune step `step`.
  public func finetunePlan(step: Int, windows: [[Int]]) -> (rows: [Int], angles: [Float]) {
    precondition(!windows.isEmpty, "no temporal windows")
    var g = Xoshiro256(seed: seed &+ 0xF17E_7E40_0000_0000 &* UInt64(step + 1))
    let count = max(1, config.batchSize / config.student.temporalFrames)
    let rows = (0..<count).flatMap { _ in windows[g.below(windows.count)] }
    let angles = rows.map { _ in Float(g.uniform(-config.rotationRange, config.rotationRange)) }
    return (rows, angles)
  }

  /// The windows a fine-tune draws from (`temporalFrames` frames `temporalGap` apart).
  ///
  /// - Throws: `TrainingError.badDataset` when the pool has no such window (single images, or sequences
  ///   shorter than a window).
  public func windows(_ bank: Pose2DBank) throws -> [[Int]] {
    let s = config.student
    let windows = try bank.windows(frames: s.temporalFrames, gap: s.temporalGap)
    guard !windows.isEmpty else {
      throw TrainingError.badDataset(
        path: "(2D sequences)",
        reason:
          "no sequence has \(s.temporalFrames) frames with a pose \(s.temporalGap) frame(s) apart, which the "
          + "temporal fine-tune needs (use video or frame-folder sequences, or no fine-tune)")
    }
    return windows
  }

  /// One joint fine-tune step on `bank` with its `windows` (from `windows(_:)`).
  @discardableResult
  public func finetuneStep(_ bank: Pose2DBank, windows: [[Int]]) -> UnsupervisedFinetuneReport {
    BLASThreads.set(config.threads)
    let s = config.student
    let plan = finetunePlan(step: finetuneStep, windows: windows)
    let x = bank.inputs.gatherRows(plan.rows)
    let smoothing = config.smoothing
    var target = Matrix<Float>(rows: 0, columns: 0)
    let temporal: UnsupervisedExtraLoss<Float> = { p, losses in
      let t = UnsupervisedGeometry.temporalLoss(p, frames: s.temporalFrames, smoothing: smoothing)
      losses.temporal = t.value
      losses.total += s.temporalWeight * t.value
      return Float(s.temporalWeight) * t.gradient
    }
    let teacherPass: (losses: UnsupervisedLosses, fake: Matrix<Float>)
    if s.finetuneTeacher {
      let r = teacher.lifterUpdate(x, angles: plan.angles, learningRate: s.finetuneRate) { p, losses in
        target = p
        return temporal(p, &losses)
      }
      teacherPass = (r.losses, r.fake)
    } else {
      var context = ForwardContext(training: true)
      teacherPass = teacher.objective.lifterPass(x, angles: plan.angles, context: &context, backward: false) {
        p, losses in
        target = p
        return temporal(p, &losses)
      }
    }
    let studentPass = student.lifterUpdate(x, angles: plan.angles, learningRate: s.finetuneRate) {
      p, losses in
      var g = temporal(p, &losses)
      let d = UnsupervisedGeometry.distillationLoss(p, teacher: target, smoothing: smoothing)
      losses.distillation = d.value
      losses.total += s.distillationWeight * d.value
      g.add(d.gradient, scale: Float(s.distillationWeight))
      return g
    }
    let fakes = Matrix<Float>(
      rows: 2 * x.rows, columns: x.columns, values: teacherPass.fake.values + studentPass.fake.values)
    let dLoss = teacher.discriminatorUpdate(real: x, fake: fakes, learningRate: config.discriminatorRate)
    let report = UnsupervisedFinetuneReport(
      step: finetuneStep, teacher: teacherPass.losses, student: studentPass.losses, discriminatorLoss: dLoss,
      gradientNorm: studentPass.norm)
    finetuneStep += 1
    student.step += 1
    if s.finetuneTeacher { teacher.step += 1 }
    return report
  }

  /// Mean joint distance (normalised units) between the student's and the teacher's poses of `x`.
  public func gap(_ x: Matrix<Float>) -> Double {
    UnsupervisedGeometry.distillationLoss(
      student.objective.poses(x), teacher: teacher.objective.poses(x), smoothing: 0
    ).value
  }

  /// Metrics of the current student on held-out 2D with 3D truth (evaluation only).
  public func evaluate(_ truth: EvaluationSet) throws -> UnsupervisedMetrics {
    try student.evaluate(truth)
  }
}
