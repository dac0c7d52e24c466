// PoseTraining: unsupervised 2D→3D lifting from 2D poses alone (Chen et al., CVPR 2019; the teacher of
// PoseNet3D, 3DV 2020) — the objective, the trainer, evaluation against held-out 3D and the lifter file.

import Foundation
import ModelFiles
import PoseCore
import PoseLifting

/// Loss weights and shape of an unsupervised run (saved as JSON in the lifter file).
public struct UnsupervisedConfig: Codable, Sendable, Equatable {
  /// Seed of every random stream (weights, batches, rotations).
  public var seed: UInt64 = 0
  /// The lifter: 34 normalised 2D values → 16 depths (joints 1…16), layer norm, no dropout.
  public var network = UnsupervisedLifterArchitecture.defaultNetwork
  /// Hidden width of the discriminator.
  public var discriminatorWidth: Int = 256
  /// Samples per step.
  public var batchSize: Int = 256
  /// Learning rate of the lifter.
  public var lifterRate: Double = 1e-4
  /// Learning rate of the discriminator.
  public var discriminatorRate: Double = 1e-4
  /// Adam settings of both (β₁ = 0.5 as is usual for adversarial training).
  public var optimizer = AdamSettings(beta1: 0.5, beta2: 0.999)
  /// Rotation angles are drawn from U(−r, r) radians about the vertical axis.
  public var rotationRange: Double = Double.pi
  /// Weight of L3D = mean ‖R⁻¹Q − P‖.
  public var consistency3DWeight: Double = 1
  /// Whether L3D also sends gradients into P (its target side); false treats P as a constant there.
  public var consistencyTargetGradient: Bool = true
  /// Weight of L2D = mean ‖proj(R⁻¹Q) − x‖.
  public var consistency2DWeight: Double = 1
  /// Weight of the generator loss −log σ(D(re-projection)).
  public var adversarialWeight: Double = 1
  /// Weight of the left/right bone-length symmetry loss.
  public var symmetryWeight: Double = 1
  /// Weight of the chirality prior (`UnsupervisedGeometry.chiralityLoss`; 0: off).
  public var chiralityWeight: Double = 1
  /// Temperature τ of the chirality prior (normalised units).
  public var chiralityTemperature: Double = 0.02
  /// Weight of the bone-length-ratio prior (`Anthropometry.h36mBoneFractions`; 0: off).
  public var boneRatioWeight: Double = 0
  /// ε of the smoothed distances √(‖e‖² + ε²) in the consistency losses and bone lengths.
  public var smoothing: Double = 1e-3
  /// Clip the lifter's gradient norm to this (nil: no clipping).
  public var maxGradientNorm: Double? = 10
  /// OpenBLAS threads.
  public var threads: Int = 1
  /// Virtual cameras that project mocap given as training or validation data (the CLI's; one camera per
  /// sequence). Rotations about the camera's vertical axis match the real views best when the elevation
  /// is small.
  public var camera = VirtualCameraConfig()
  /// Factor on the lifter's initial output weights (small: training starts from nearly flat poses).
  public var initialDepthScale: Double = 0.01
  /// The student, its distillation and the joint temporal fine-tune (`UnsupervisedStudentTrainer`).
  public var student = UnsupervisedStudentConfig()

  /// The defaults.
  public init() {}

  /// Checks the values.
  public func validate() throws {
    try TrainingError.converting { try UnsupervisedLifterArchitecture(network: network).validate() }
    _ = try Adam<Float>(settings: optimizer)
    try camera.validate()
    try student.validate()
    let weights = [
      consistency3DWeight, consistency2DWeight, adversarialWeight, symmetryWeight, boneRatioWeight,
      chiralityWeight,
    ]
    guard discriminatorWidth > 0, discriminatorWidth <= 16_384, batchSize > 0, batchSize <= 1 << 20,
      lifterRate > 0, lifterRate.isFinite, discriminatorRate > 0, discriminatorRate.isFinite,
      rotationRange >= 0, rotationRange <= 2 * Double.pi, weights.allSatisfy({ $0 >= 0 && $0.isFinite }),
      smoothing >= 0, smoothing.isFinite, chiralityTemperature > 0, chiralityTemperature.isFinite,
      initialDepthScale >= 0, initialDepthScale.isFinite, (maxGradientNorm ?? 1) > 0, threads > 0
    else { throw TrainingError.invalidConfiguration("unsupervised training configuration out of range") }
  }

  /// JSON text (sorted keys).
  public func json() throws -> String { try Checkpoint.jsonText(self) }
}

/// The losses of one unsupervised step (normalised units; the logistic losses in nats).
public struct UnsupervisedLosses: Sendable, Equatable {
  /// Weighted sum the lifter minimises.
  public var total: Double = 0
  /// L3D = mean over joints ‖R⁻¹(s·Q) − P‖.
  public var consistency3D: Double = 0
  /// L2D = mean over joints ‖proj(R⁻¹(s·Q)) − x‖.
  public var consistency2D: Double = 0
  /// −log σ(D(re-projection)), mean.
  public var adversarial: Double = 0
  /// Left/right bone-length symmetry.
  public var symmetry: Double = 0
  /// Bone-length-ratio prior (0 when its weight is 0).
  public var boneRatio: Double = 0
  /// Chirality prior (0 when its weight is 0).
  public var chirality: Double = 0
  /// Temporal smoothness over neighbouring frames (`UnsupervisedGeometry.temporalLoss`; fine-tune only).
  public var temporal: Double = 0
  /// Distillation: mean joint distance to the teacher's pose (the student's fine-tune only).
  public var distillation: Double = 0
}

/// An extra loss on the lifted poses P (B × 51) of `UnsupervisedObjective.lifterPass`: it records its
/// (unweighted) values and adds its weighted value to `losses.total`, and returns its weighted ∂L/∂P.
public typealias UnsupervisedExtraLoss<Scalar: TrainingScalar> = (
  _ poses: Matrix<Scalar>, _ losses: inout UnsupervisedLosses
) -> Matrix<Scalar>

/// The unsupervised objective on a lifter f and a discriminator D, generic over the scalar so the
/// gradient checks run it in Double.
///
/// One lifter pass on normalised 2D x (B × 34) with angles θ (B):
///
///     P = (x, f(x))                      lifted pose, pelvis depth 0 (orthographic model)
///     x̃, s = renormalise(proj(R(θ)·P))    rotated re-projection, a valid lifter input
///     Q = (x̃, f(x̃)),  P̂ = R(−θ)·(s·Q)     lift again, undo the scale and the rotation
///     L = w3·mean‖P̂ − P‖ + w2·mean‖P̂_xy − x‖ + wa·(−log σ(D(x̃))) + ws·sym(P) + wr·ratio(P)
///         + wc·chirality(P)
///
/// Gradients flow through both sides of L3D, through D into x̃ (D's own gradients are discarded), through
/// the renormalisation (including s) and the rotation back into f's first pass.
///
/// f runs twice per step and layers cache only their latest forward pass. Rather than recomputing the
/// first pass before its backward, the second pass runs on a *twin* network with the same
/// configuration whose parameter values are set to f's at the start of each pass (`Matrix` is
/// copy-on-write, so this shares storage and copies nothing); after the backward passes the twin's
/// gradients are added into f's and cleared. Both passes thus keep their own caches, and the result is
/// exact for any layer type (with dropout each pass draws its own mask). One caveat: BatchNorm running
/// statistics of the second pass land in the twin and are dropped, which is one reason the default lifter
/// uses LayerNorm (the other: real inputs and re-projections would share batch statistics).
public final class UnsupervisedObjective<Scalar: TrainingScalar> {
  /// Name of the lifter's tensors (`teacher` or `student`).
  public let name: String
  /// The lifter f (34 → 16 depths).
  public let lifter: ResidualMLP<Scalar>
  /// The twin used for the second pass.
  let twin: ResidualMLP<Scalar>
  /// The discriminator D.
  public let discriminator: PoseDiscriminator<Scalar>
  /// Weights and settings.
  public let config: UnsupervisedConfig

  /// Builds f (and its twin) named `name` and D from `rng`; a given `discriminator` is shared instead
  /// of building one (the student and the teacher share D in the fine-tune).
  public init(
    config: UnsupervisedConfig, rng: inout Xoshiro256, name: String = "teacher",
    discriminator shared: PoseDiscriminator<Scalar>? = nil
  ) throws {
    try config.validate()
    self.config = config
    self.name = name
    var lifterRNG = rng.split()
    lifter = try ResidualMLP<Scalar>(name: name, config: config.network, rng: &lifterRNG)
    // Start near flat poses (depths ≈ 0): the output layer's weights scaled by `initialDepthScale`.
    if let output = lifter.parameters.first(where: { $0.name == "\(name).output.weight" }) {
      output.value.scale(by: Scalar(config.initialDepthScale))
    }
    var twinRNG = Xoshiro256(seed: 0)
    twin = try ResidualMLP<Scalar>(name: name, config: config.network, rng: &twinRNG)
    var discriminatorRNG = rng.split()
    discriminator =
      shared
      ?? PoseDiscriminator<Scalar>(
        name: "discriminator", width: config.discriminatorWidth, rng: &discriminatorRNG)
  }

  /// Depths (B × 16) of normalised 2D poses, evaluation mode.
  public func depths(_ x: Matrix<Scalar>) -> Matrix<Scalar> {
    var context = ForwardContext(training: false)
    return lifter.forward(x, context: &context)
  }

  /// Lifted poses P = (x, f(x)) (B × 51, normalised units), evaluation mode.
  public func poses(_ x: Matrix<Scalar>) -> Matrix<Scalar> {
    UnsupervisedGeometry.assemble(x, depths: depths(x))
  }

  /// The lifter's losses on `x` with rotation `angles`, plus `extra` on the lifted poses P when given;
  /// with `backward`, adds ∂L/∂θ_f into f's gradients (D's gradients are left at zero). Returns the
  /// losses and the re-projections x̃ (D's fakes).
  public func lifterPass(
    _ x: Matrix<Scalar>, angles: [Scalar], context: inout ForwardContext, backward: Bool,
    extra: UnsupervisedExtraLoss<Scalar>? = nil
  ) -> (losses: UnsupervisedLosses, fake: Matrix<Scalar>) {
    typealias G = UnsupervisedGeometry
    precondition(x.columns == KeypointNormalization.inputCount && angles.count == x.rows)
    for (a, b) in zip(lifter.parameters, twin.parameters) { b.value = a.value }
    for (a, b) in zip(lifter.buffers, twin.buffers) { b.value = a.value }
    let c = config
    let z1 = lifter.forward(x, context: &context)
    let p = G.assemble(x, depths: z1)
    let rotated = G.rotate(p, angles: angles)
    let (fake, scales) = G.projectNormalized(rotated)
    let z2 = twin.forward(fake, context: &context)
    let q = G.assemble(fake, depths: z2)
    let qs = G.scaled(q, scales)
    let back = G.rotate(qs, angles: angles.map { -$0 })
    let l3 = Loss.meanJointDistance(back, p, dimensions: 3, smoothing: c.smoothing)
    var backXY = Matrix<Scalar>(rows: x.rows, columns: x.columns)
    for r in 0..<x.rows {
      for j in 0..<G.joints {
        backXY[r, 2 * j] = back[r, 3 * j]
        backXY[r, 2 * j + 1] = back[r, 3 * j + 1]
      }
    }
    let l2 = Loss.meanJointDistance(backXY, x, dimensions: 2, smoothing: c.smoothing)
    var discriminatorContext = ForwardContext(training: true)
    let logits = discriminator.forward(fake, context: &discriminatorContext)
    let adversarial = G.logisticLoss(logits, real: true)
    let lengths = G.boneLengths(p, smoothing: c.smoothing)
    let symmetry = G.symmetryLoss(lengths)
    let ratio =
      c.boneRatioWeight > 0
      ? G.ratioLoss(lengths, reference: Anthropometry.h36mBoneFractions)
      : LossResult(value: 0, gradient: lengths)
    let chirality =
      c.chiralityWeight > 0
      ? G.chiralityLoss(p, temperature: c.chiralityTemperature) : LossResult(value: 0, gradient: p)
    var losses = UnsupervisedLosses(
      total: 0, consistency3D: l3.value, consistency2D: l2.value, adversarial: adversarial.value,
      symmetry: symmetry.value, boneRatio: c.boneRatioWeight > 0 ? ratio.value : 0)
    losses.total =
      c.consistency3DWeight * l3.value + c.consistency2DWeight * l2.value + c.adversarialWeight
      * adversarial.value + c.symmetryWeight * symmetry.value + c.boneRatioWeight * losses.boneRatio
    losses.chirality = c.chiralityWeight > 0 ? chirality.value : 0
    losses.total += c.chiralityWeight * losses.chirality
    let extraGradient = extra.map { $0(p, &losses) }
    guard backward else { return (losses, fake) }

    // ∂L/∂P̂ and the target side of L3D.
    let w3 = Scalar(c.consistency3DWeight)
    let w2 = Scalar(c.consistency2DWeight)
    var gBack = Scalar(c.consistency3DWeight) * l3.gradient
    for r in 0..<x.rows {
      for j in 0..<G.joints {
        gBack[r, 3 * j] += w2 * l2.gradient[r, 2 * j]
        gBack[r, 3 * j + 1] += w2 * l2.gradient[r, 2 * j + 1]
      }
    }
    var gP = c.consistencyTargetGradient ? (-w3) * l3.gradient : Matrix(rows: p.rows, columns: p.columns)
    // P̂ = R(−θ)·(s·Q): ∂/∂(s·Q) = R(θ)·∂/∂P̂.
    let gQs = G.rotate(gBack, angles: angles)
    let gQ = G.scaled(gQs, scales)
    var gScale = [Scalar](repeating: 0, count: x.rows)
    for r in 0..<x.rows {
      var dot: Scalar = 0
      for k in 0..<q.columns { dot += gQs[r, k] * q[r, k] }
      gScale[r] = dot
    }
    let (gFakeQ, gZ2) = G.split(gQ)
    var gFake = gFakeQ
    if c.adversarialWeight > 0 {
      gFake.add(discriminator.backward(Scalar(c.adversarialWeight) * adversarial.gradient))
      for p in discriminator.parameters { p.zeroGradient() }
    }
    gFake.add(twin.backward(gZ2))
    let gRotated = G.projectNormalizedBackward(
      rotated, normalized: fake, scales: scales, gradient: gFake, scaleGradient: gScale)
    gP.add(G.rotate(gRotated, angles: angles.map { -$0 }))
    var gLengths = Scalar(c.symmetryWeight) * symmetry.gradient
    if c.boneRatioWeight > 0 { gLengths.add(ratio.gradient, scale: Scalar(c.boneRatioWeight)) }
    G.boneLengthsBackward(p, lengths: lengths, gradient: gLengths, into: &gP)
    if c.chiralityWeight > 0 { gP.add(chirality.gradient, scale: Scalar(c.chiralityWeight)) }
    if let extraGradient { gP.add(extraGradient) }
    _ = lifter.backward(G.split(gP).depths)
    for (a, b) in zip(lifter.parameters, twin.parameters) {
      a.gradient.add(b.gradient)
      b.zeroGradient()
    }
    return (losses, fake)
  }

  /// The discriminator's loss ½·(mean softplus(−D(real)) + mean softplus(D(fake))); with `backward`,
  /// adds its gradients into D's parameters.
  public func discriminatorPass(real: Matrix<Scalar>, fake: Matrix<Scalar>, backward: Bool) -> Double {
    precondition(real.columns == fake.columns)
    let both = Matrix<Scalar>(
      rows: real.rows + fake.rows, columns: real.columns, values: real.values + fake.values)
    var context = ForwardContext(training: true)
    let logits = discriminator.forward(both, context: &context)
    let r = UnsupervisedGeometry.logisticLoss(
      Matrix(rows: real.rows, columns: 1, values: Array(logits.values[0..<real.rows])), real: true)
    let f = UnsupervisedGeometry.logisticLoss(
      Matrix(rows: fake.rows, columns: 1, values: Array(logits.values[real.rows...])), real: false)
    if backward {
      let g = Matrix<Scalar>(
        rows: both.rows, columns: 1, values: (r.gradient.values + f.gradient.values).map { $0 / 2 })
      _ = discriminator.backward(g)
    }
    return (r.value + f.value) / 2
  }
}

/// What one unsupervised step reports.
public struct UnsupervisedStepReport: Sendable {
  /// 0-based step.
  public var step: Int
  /// The lifter's losses.
  public var losses: UnsupervisedLosses
  /// The discriminator's loss (ln 2 ≈ 0.693 when it cannot tell real from fake).
  public var discriminatorLoss: Double
  /// The lifter's gradient norm before clipping.
  public var gradientNorm: Double
}

/// Trains the unsupervised lifter (the teacher) on 2D poses only.
///
/// Step t: B rows drawn uniformly (with replacement) from the pool and B angles from U(−r, r), both from
/// a stream seeded by (seed, t); lifter pass and Adam update of f (clipped); then a discriminator pass on
/// the same real rows and the (pre-update) re-projections and an Adam update of D. The trainer only ever
/// receives a `Pose2DBank`, which holds 2D poses and nothing else.
public final class UnsupervisedTrainer {
  /// The configuration.
  public let config: UnsupervisedConfig
  /// Lifter and discriminator.
  public let objective: UnsupervisedObjective<Float>
  /// Steps done (for a lifter in `UnsupervisedStudentTrainer`, also its distillation and fine-tune
  /// updates).
  public internal(set) var step = 0
  let lifterOptimizer: Adam<Float>
  let discriminatorOptimizer: Adam<Float>
  let lifterParameters: ParameterSet<Float>
  let dataSeed: UInt64

  /// Builds the networks from the configuration's seed; `name` names the lifter's tensors (`teacher` or
  /// `student`), and a given `discriminator` is used instead of a new one (the student shares the
  /// teacher's; `UnsupervisedStudentTrainer` updates it through the teacher).
  public init(
    config: UnsupervisedConfig, name: String = "teacher", discriminator: PoseDiscriminator<Float>? = nil
  ) throws {
    try config.validate()
    guard UnsupervisedLifter.roles.contains(name) else {
      throw TrainingError.invalidConfiguration(
        "an unsupervised lifter is named \(UnsupervisedLifter.roles.joined(separator: " or ")) (got '\(name)')"
      )
    }
    self.config = config
    var master = Xoshiro256(seed: config.seed)
    objective = try UnsupervisedObjective<Float>(
      config: config, rng: &master, name: name, discriminator: discriminator)
    lifterOptimizer = try Adam<Float>(settings: config.optimizer)
    discriminatorOptimizer = try Adam<Float>(settings: config.optimizer)
    lifterParameters = try ParameterSet<Float>([objective.lifter])
    dataSeed = master.next()
  }

  /// The rows and angles of step `step` for a pool of `count` poses.
  public func batchPlan(step: Int, count: Int) -> (rows: [Int], angles: [Float]) {
    precondition(count > 0, "empty training pool")
    var g = Xoshiro256(seed: dataSeed &+ 0xD1B5_4A32_D192_ED03 &* UInt64(step + 1))
    let rows = (0..<config.batchSize).map { _ in g.below(count) }
    let angles = (0..<config.batchSize).map { _ in
      Float(g.uniform(-config.rotationRange, config.rotationRange))
    }
    return (rows, angles)
  }

  /// One training step on the pool `bank`.
  @discardableResult
  public func trainStep(_ bank: Pose2DBank) -> UnsupervisedStepReport {
    BLASThreads.set(config.threads)
    let plan = batchPlan(step: step, count: bank.count)
    let x = bank.inputs.gatherRows(plan.rows)
    let (losses, fake, norm) = lifterUpdate(x, angles: plan.angles, learningRate: config.lifterRate)
    let dLoss = discriminatorUpdate(real: x, fake: fake, learningRate: config.discriminatorRate)
    let report = UnsupervisedStepReport(
      step: step, losses: losses, discriminatorLoss: dLoss, gradientNorm: norm)
    step += 1
    return report
  }

  /// The lifter pass on `x` (with `extra`), gradient clipping and an Adam update of f: the losses, the
  /// re-projections (D's fakes) and the gradient norm before clipping. Does not count a step.
  func lifterUpdate(
    _ x: Matrix<Float>, angles: [Float], learningRate: Double, extra: UnsupervisedExtraLoss<Float>? = nil
  ) -> (losses: UnsupervisedLosses, fake: Matrix<Float>, norm: Double) {
    var context = ForwardContext(training: true)
    let (losses, fake) = objective.lifterPass(
      x, angles: angles, context: &context, backward: true, extra: extra)
    let norm = clipAndUpdate(learningRate: learningRate)
    return (losses, fake, norm)
  }

  /// Clips f's accumulated gradient, applies Adam at `learningRate` and clears it; the norm before
  /// clipping.
  func clipAndUpdate(learningRate: Double) -> Double {
    let norm =
      config.maxGradientNorm.map { lifterParameters.clipGradientNorm($0) } ?? lifterParameters.gradientNorm
    lifterOptimizer.update(lifterParameters.parameters, learningRate: learningRate, threads: config.threads)
    lifterParameters.zeroGradients()
    return norm
  }

  /// One update of f towards `target` poses (B × 51, normalised units) for the inputs `x` (B × 34): the
  /// distillation loss (`UnsupervisedGeometry.distillationLoss`), its gradient through f, clipping and Adam
  /// at `learningRate`. The loss and the gradient norm before clipping; does not count a step.
  func fitUpdate(_ x: Matrix<Float>, target: Matrix<Float>, learningRate: Double) -> (
    loss: Double, norm: Double
  ) {
    var context = ForwardContext(training: true)
    let p = UnsupervisedGeometry.assemble(x, depths: objective.lifter.forward(x, context: &context))
    let loss = UnsupervisedGeometry.distillationLoss(p, teacher: target, smoothing: config.smoothing)
    _ = objective.lifter.backward(UnsupervisedGeometry.split(loss.gradient).depths)
    return (loss.value, clipAndUpdate(learningRate: learningRate))
  }

  /// D's update with the real rows `x` against the re-projections of `poses` rotated by `angles`
  /// (radians about the vertical axis): D's loss.
  func discriminatorUpdate(real x: Matrix<Float>, rotating poses: Matrix<Float>, angles: [Float]) -> Double {
    let fake = UnsupervisedGeometry.projectNormalized(UnsupervisedGeometry.rotate(poses, angles: angles))
      .normalized
    return discriminatorUpdate(real: x, fake: fake, learningRate: config.discriminatorRate)
  }

  /// A discriminator pass on real rows and fakes and an Adam update of D (nothing when the adversarial
  /// weight is 0): D's loss.
  func discriminatorUpdate(real: Matrix<Float>, fake: Matrix<Float>, learningRate: Double) -> Double {
    guard config.adversarialWeight > 0 else { return 0 }
    let dLoss = objective.discriminatorPass(real: real, fake: fake, backward: true)
    discriminatorOptimizer.update(
      objective.discriminator.parameters, learningRate: learningRate, threads: config.threads)
    for p in objective.discriminator.parameters { p.zeroGradient() }
    return dLoss
  }

  /// The lifter's losses on fixed rows and angles without updating anything (for tests and monitoring).
  public func losses(_ x: Matrix<Float>, angles: [Float]) -> UnsupervisedLosses {
    var context = ForwardContext(training: true)
    return objective.lifterPass(x, angles: angles, context: &context, backward: false).losses
  }

  /// Copies the weights of a saved teacher into f.
  ///
  /// - Throws: `TrainingError.shapeMismatch` when its network has another shape.
  public func loadLifter(from model: UnsupervisedLifter) throws {
    let source = model.network.parameters
    let target = objective.lifter.parameters
    guard source.count == target.count, zip(source, target).allSatisfy({ $0.value.shape == $1.value.shape })
    else {
      throw TrainingError.shapeMismatch(
        what: "unsupervised lifter tensors",
        expected: "width \(config.network.width), \(config.network.blocks) blocks",
        actual: "width \(model.config.network.width), \(model.config.network.blocks) blocks")
    }
    for (s, t) in zip(source, target) { t.value = s.value }
  }
}

/// Accuracy of an unsupervised lifter against held-out 3D (mm). Its scale is arbitrary, so positions are
/// compared after alignment.
public struct UnsupervisedMetrics: Sendable, Equatable {
  /// Number of poses.
  public var count: Int
  /// MPJPE after per-pose Procrustes alignment (rotation, scale, translation; no reflection).
  public var paMPJPE: Double
  /// MPJPE after the per-pose least-squares scale of the root-relative prediction (N-MPJPE).
  public var nMPJPE: Double
  /// PA-MPJPE of the depth-mirrored predictions (z → −z): much lower than `paMPJPE` would mean the
  /// lifter learned the mirror-image depth order.
  public var mirroredPAMPJPE: Double
  /// Median over poses of RMS(predicted depth) / RMS(true depth), the true depth brought to the
  /// prediction's units by the least-squares scale of the 2D (x, y): 1 when the depth range is right,
  /// near 0 for flat poses.
  public var depthRatio: Double = 1

  /// The metrics of poses (any unit, root-relative) against `truth`'s targets.
  ///
  /// - Throws: `TrainingError.shapeMismatch` unless there is one 17-joint pose per target.
  public static func compute(predictions: [[Vec3]], truth: EvaluationSet) throws -> UnsupervisedMetrics {
    guard predictions.count == truth.count, !predictions.isEmpty else {
      throw TrainingError.shapeMismatch(
        what: "unsupervised evaluation", expected: "\(truth.count) poses", actual: "\(predictions.count)")
    }
    var pa = 0.0
    var n = 0.0
    var mirrored = 0.0
    var ratios: [Double] = []
    for (p, y) in zip(predictions, truth.targets) {
      guard p.count == H36M17.count, y.count == H36M17.count else {
        throw TrainingError.shapeMismatch(
          what: "evaluation pose", expected: "17 joints", actual: "\(p.count)")
      }
      pa += paOrCentroid(p, y)
      mirrored += paOrCentroid(p.map { Vec3($0.x, $0.y, -$0.z) }, y)
      let py = zip(p, y).reduce(0) { $0 + $1.0.dot($1.1) }
      let pp = p.reduce(0) { $0 + $1.dot($1) }
      let alpha = pp > 0 ? py / pp : 0
      n += try PoseMetrics.mpjpe(p.map { alpha * $0 }, y)
      let xy = zip(p, y).reduce(0) { $0 + $1.0.x * $1.1.x + $1.0.y * $1.1.y }
      let pxy = p.reduce(0) { $0 + $1.x * $1.x + $1.y * $1.y }
      let trueDepth = y.reduce(0) { $0 + $1.z * $1.z } * (pxy / max(xy, 1e-12)) * (pxy / max(xy, 1e-12))
      if trueDepth > 0 { ratios.append((p.reduce(0) { $0 + $1.z * $1.z } / trueDepth).squareRoot()) }
    }
    let d = Double(predictions.count)
    ratios.sort()
    return UnsupervisedMetrics(
      count: predictions.count, paMPJPE: pa / d, nMPJPE: n / d, mirroredPAMPJPE: mirrored / d,
      depthRatio: ratios.isEmpty ? 0 : ratios[ratios.count / 2])
  }

  static func paOrCentroid(_ p: [Vec3], _ y: [Vec3]) -> Double {
    if let v = try? PoseMetrics.paMPJPE(p, y) { return v }
    let centroid = y.reduce(Vec3.zero, +) / Double(y.count)
    return y.reduce(0) { $0 + $1.distance(to: centroid) } / Double(y.count)
  }
}

/// A trained unsupervised lifter (teacher or student) on training's layers: normalised 2D → 3D in
/// normalised units, for warm starts and evaluation on matrices; `inference` is the same file as
/// PoseLifting's `Lifter`, which everything else lifts with.
///
/// File format (`UnsupervisedLifter.format`): the lifter's F32 tensors (`teacher.…` or `student.…`) and
/// string metadata `format`, `role` (`teacher` or `student`; missing means teacher), `config` (the
/// `UnsupervisedConfig` JSON; its `network` is the file's), `skeleton`, `normalization`, provenance. This is
/// not a `LifterModel` file: the network outputs 16 depths in the units of the normalised input (the
/// pose's 2D RMS radius), not 51 coordinates in mm; `lift` rebuilds the pose and gives it a metric scale.
public final class UnsupervisedLifter {
  /// Value of the `format` metadata entry.
  public static let format = LifterKind.unsupervisedFormat
  /// Text of the `normalization` metadata entry.
  public static let normalizationText =
    "input: 17 H36M-17 image points (pixels, y down) minus the pelvis, divided by s = sqrt(mean |u_j - u_0|^2); "
    + "output: 16 depths z_1..z_16 in units of s (pelvis depth 0, z away from the camera); the 3D pose is "
    + "(x_j, y_j, z_j) with (x_j, y_j) the normalised input (orthographic model), scale arbitrary"

  /// Values of the `role` metadata entry (and prefixes of the tensor names); files without it are teachers.
  public static let roles = UnsupervisedLifterArchitecture.roles

  /// The run's configuration (its `network` is this file's network).
  public let config: UnsupervisedConfig
  /// The network (34 → 16).
  public let network: ResidualMLP<Float>
  /// The file's metadata.
  public let metadata: [String: String]
  /// The same file as PoseLifting's `Lifter` (metres, scaled to its `height`): inference on poses.
  public let inference: Lifter

  init(config: UnsupervisedConfig, network: ResidualMLP<Float>, metadata: [String: String], inference: Lifter)
  {
    self.config = config
    self.network = network
    self.metadata = metadata
    self.inference = inference
  }

  /// Writes the trainer's lifter with `metadata` (not `format`/`config`/`role`) atomically; `role` is the
  /// lifter's name (`teacher` or `student`, also the prefix of its tensors).
  ///
  /// - Throws: `TrainingError.invalidConfiguration` for a reserved key, `SafeTensorsError` on write errors.
  public static func export(_ trainer: UnsupervisedTrainer, to path: String, metadata: [String: String] = [:])
    throws
  {
    try writer(trainer, metadata: metadata).write(to: path)
  }

  /// The file `export` writes, in memory.
  static func writer(_ trainer: UnsupervisedTrainer, metadata: [String: String]) throws -> SafeTensorsWriter {
    if metadata["format"] != nil || metadata["config"] != nil || metadata["role"] != nil {
      throw TrainingError.invalidConfiguration(
        "lifter metadata keys 'format', 'config' and 'role' are reserved")
    }
    var meta = metadata
    meta["format"] = format
    meta["config"] = try trainer.config.json()
    meta["role"] = trainer.objective.name
    meta["skeleton"] = meta["skeleton"] ?? LifterModel.skeletonText
    meta["normalization"] = meta["normalization"] ?? normalizationText
    meta["step"] = String(trainer.step)
    var writer = SafeTensorsWriter(metadata: meta)
    for p in trainer.objective.lifter.parameters {
      try writer.add(p.name, floats: p.value.values, shape: p.value.shape)
    }
    for b in trainer.objective.lifter.buffers {
      try writer.add(b.name, floats: b.value.values, shape: b.value.shape)
    }
    return writer
  }

  /// Loads a file written by `export`.
  ///
  /// - Throws: `SafeTensorsError` for an unreadable file; `TrainingError.badCheckpoint` naming the path for
  ///   another format, a bad configuration, a missing tensor, a wrong shape or non-finite values.
  public static func load(path: String) throws -> UnsupervisedLifter {
    try load(SafeTensors.read(path: path), path: path)
  }

  /// Loads a file written by `export` already read from `path`; `inference`, when given, is the file
  /// already loaded as a `Lifter` (else it is loaded for the default height).
  static func load(_ file: SafeTensors, path: String, inference: Lifter? = nil) throws -> UnsupervisedLifter {
    func bad(_ reason: String) -> TrainingError { .badCheckpoint(path: path, reason: reason) }
    guard file.metadata["format"] == format else {
      throw bad(
        "metadata 'format' is \(file.metadata["format"].map { "'\($0)'" } ?? "missing"), expected '\(format)' "
          + "(supervised lifters cannot initialise the unsupervised teacher)")
    }
    guard let text = file.metadata["config"],
      let config = try? JSONDecoder().decode(UnsupervisedConfig.self, from: Data(text.utf8))
    else { throw bad("metadata 'config' is missing or not an unsupervised configuration") }
    do { try config.validate() } catch { throw bad("its configuration is invalid: \(error)") }
    let role = file.metadata["role"] ?? "teacher"
    guard roles.contains(role) else {
      throw bad("metadata 'role' is '\(role)', expected one of \(roles.joined(separator: ", "))")
    }
    var rng = Xoshiro256(seed: 0)
    let network = try ResidualMLP<Float>(name: role, config: config.network, rng: &rng)
    try network.loadWeights(from: file, bad: bad)
    let lifter = try inference ?? TrainingError.converting { try Lifter(file: file) }
    return UnsupervisedLifter(config: config, network: network, metadata: file.metadata, inference: lifter)
  }

  /// Poses (B × 51, normalised units, root-relative) for normalised inputs (B × 34).
  public func predict(_ inputs: Matrix<Float>) -> Matrix<Float> {
    var context = ForwardContext(training: false)
    return UnsupervisedGeometry.assemble(inputs, depths: network.forward(inputs, context: &context))
  }

  /// Lifts 17 image points (pixels, y down) to root-relative joints in mm (x right, y down, z forward),
  /// scaled so the 16 bone lengths add up to those of a person `height` metres tall
  /// (`Anthropometry.h36mBoneFractions`), on training's layers (`Lifter.lift` is the same at inference, in
  /// metres).
  ///
  /// - Throws: `TrainingError.shapeMismatch` unless exactly 17 points are given.
  public func lift(_ points: [Vec2], height: Double = 1.7) throws -> [Vec3] {
    guard points.count == H36M17.count else {
      throw TrainingError.shapeMismatch(
        what: "lifter input", expected: "17 points", actual: "\(points.count)")
    }
    let x = KeypointNormalization.normalize(points).map { Float($0) }
    let pose = AITETrainer.joints(predict(Matrix(rows: 1, columns: x.count, values: x)), row: 0)
    let total = (try? PoseMetrics.boneLengths(pose, skeleton: .h36m17))?.reduce(0, +) ?? 0
    let target = 1000 * height * Anthropometry.h36mBoneFractions.reduce(0, +)
    let k = total > 0 && total.isFinite ? target / total : 0
    return pose.map { k * $0 }
  }

  /// Poses (normalised units, 17 joints each) for every row of `inputs`, in chunks.
  public func poses(_ inputs: Matrix<Float>, chunk: Int = 4096) -> [[Vec3]] {
    var out: [[Vec3]] = []
    var start = 0
    while start < inputs.rows {
      let n = min(chunk, inputs.rows - start)
      let slice = Array(inputs.values[(start * inputs.columns)..<((start + n) * inputs.columns)])
      let p = predict(Matrix(rows: n, columns: inputs.columns, values: slice))
      for r in 0..<n { out.append(AITETrainer.joints(p, row: r)) }
      start += n
    }
    return out
  }
}

extension UnsupervisedTrainer {
  /// The current lifter as a lifter file would give it (a copy of the weights' current values).
  public func currentLifter() throws -> UnsupervisedLifter {
    let bytes = try UnsupervisedLifter.writer(self, metadata: [:]).serialized()
    return try UnsupervisedLifter.load(SafeTensors(bytes: bytes), path: SafeTensors.inMemoryPath)
  }

  /// Metrics of the current lifter on held-out 2D with 3D truth (evaluation only).
  public func evaluate(_ truth: EvaluationSet) throws -> UnsupervisedMetrics {
    let lifter = try currentLifter()
    return try UnsupervisedMetrics.compute(predictions: lifter.poses(truth.inputs), truth: truth)
  }
}

extension UnsupervisedConfig {
  /// Reads a configuration; missing keys take their defaults (so a JSON file can set only what it changes).
  public init(from decoder: Decoder) throws {
    let c = try decoder.container(keyedBy: CodingKeys.self)
    self.init()
    seed = try c.decodeIfPresent(UInt64.self, forKey: .seed) ?? seed
    network = try c.decodeIfPresent(ResidualMLPConfig.self, forKey: .network) ?? network
    discriminatorWidth = try c.decodeIfPresent(Int.self, forKey: .discriminatorWidth) ?? discriminatorWidth
    batchSize = try c.decodeIfPresent(Int.self, forKey: .batchSize) ?? batchSize
    lifterRate = try c.decodeIfPresent(Double.self, forKey: .lifterRate) ?? lifterRate
    discriminatorRate = try c.decodeIfPresent(Double.self, forKey: .discriminatorRate) ?? discriminatorRate
    optimizer = try c.decodeIfPresent(AdamSettings.self, forKey: .optimizer) ?? optimizer
    rotationRange = try c.decodeIfPresent(Double.self, forKey: .rotationRange) ?? rotationRange
    consistency3DWeight =
      try c.decodeIfPresent(Double.self, forKey: .consistency3DWeight) ?? consistency3DWeight
    consistency2DWeight =
      try c.decodeIfPresent(Double.self, forKey: .consistency2DWeight) ?? consistency2DWeight
    adversarialWeight = try c.decodeIfPresent(Double.self, forKey: .adversarialWeight) ?? adversarialWeight
    symmetryWeight = try c.decodeIfPresent(Double.self, forKey: .symmetryWeight) ?? symmetryWeight
    consistencyTargetGradient =
      try c.decodeIfPresent(Bool.self, forKey: .consistencyTargetGradient) ?? consistencyTargetGradient
    chiralityWeight = try c.decodeIfPresent(Double.self, forKey: .chiralityWeight) ?? chiralityWeight
    chiralityTemperature =
      try c.decodeIfPresent(Double.self, forKey: .chiralityTemperature) ?? chiralityTemperature
    boneRatioWeight = try c.decodeIfPresent(Double.self, forKey: .boneRatioWeight) ?? boneRatioWeight
    smoothing = try c.decodeIfPresent(Double.self, forKey: .smoothing) ?? smoothing
    maxGradientNorm = try c.decodeIfPresent(Double.self, forKey: .maxGradientNorm) ?? maxGradientNorm
    threads = try c.decodeIfPresent(Int.self, forKey: .threads) ?? threads
    camera = try c.decodeIfPresent(VirtualCameraConfig.self, forKey: .camera) ?? camera
    initialDepthScale = try c.decodeIfPresent(Double.self, forKey: .initialDepthScale) ?? initialDepthScale
    student = try c.decodeIfPresent(UnsupervisedStudentConfig.self, forKey: .student) ?? student
  }

  /// A configuration from JSON bytes (missing keys default), validated; `path` is used in errors.
  ///
  /// - Throws: `TrainingError.invalidConfiguration` naming the path when it does not decode or validate.
  public static func decode(_ data: Data, path: String) throws -> UnsupervisedConfig {
    let config: UnsupervisedConfig
    do {
      config = try JSONDecoder().decode(UnsupervisedConfig.self, from: data)
    } catch {
      throw TrainingError.invalidConfiguration(
        "\(path) is not an unsupervised training configuration (\(error))")
    }
    try config.validate()
    return config
  }
}
