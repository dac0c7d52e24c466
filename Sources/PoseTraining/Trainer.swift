// PoseTraining: the AITE training loop — prediction network P, adjustment network A, losses, Adam steps,
// reproducible mini-batches, evaluation and checkpoints with resume.

import Foundation
import PoseCore
import PoseLifting

/// Everything that defines a training run (saved as JSON in every checkpoint).
public struct TrainingConfig: Codable, Sendable, Equatable {
  /// Seed of every random stream (weights, data order, augmentation, dropout, disturbance).
  public var seed: UInt64 = 0
  /// The prediction network P (inputs 34, outputs 51).
  public var network = SupervisedLifterArchitecture.defaultNetwork
  /// The adjustment network A (K = `adjustment.stages`; 0 is plain training).
  public var adjustment = AdjustmentConfig()
  /// λ, the weight of L(A(P(x), b), y).
  public var adjustedLossWeight: Double = 1
  /// Curriculum: when set, λ decays linearly from `adjustedLossWeight` to 0 at this step.
  public var adjustedLossDecaySteps: Int? = nil
  /// μ, the weight of the online-distillation term L(P(x), stop-gradient(A(P(x), b))).
  public var distillationWeight: Double = 0
  /// Pose loss used for every term.
  public var loss: Loss.Kind = .meanJointDistance
  /// Adam / AdamW settings.
  public var optimizer = AdamSettings()
  /// Learning-rate schedule.
  public var schedule = LearningRateSchedule(
    base: 1e-3, warmupSteps: 0, decay: .exponential(factor: 0.96, every: 100_000))
  /// Samples per step.
  public var batchSize: Int = 256
  /// Clip the joint gradient norm to this value (nil: no clipping).
  public var maxGradientNorm: Double? = nil
  /// Millimetres per unit of P's raw output. P predicts decimetres by default, so its He-initialised
  /// output layer (output std ≈ 1–2) starts at the scale of the targets (≈ 200–400 mm per coordinate);
  /// with metres the first predictions are metres off and training starts much slower.
  public var outputScale: Double = SupervisedLifterArchitecture.defaultOutputScale
  /// Random virtual cameras.
  public var camera = VirtualCameraConfig()
  /// Per-sample augmentation.
  public var augmentation = AugmentationConfig()
  /// OpenBLAS threads.
  public var threads: Int = 2
  /// Train the adjustment network A alone on a fixed, already trained P (`train --init-lifter FILE
  /// --freeze-lifter`): P runs in evaluation mode and is never updated, so A learns to correct that P's
  /// real errors — the A that `LifterModel.adjust` runs at inference with a subject's bone lengths.
  public var freezePredictor: Bool = false

  /// The default configuration (SimpleBaseline 1024 × 2 blocks, K = 2).
  public init() {}

  /// Checks every part.
  public func validate() throws {
    try TrainingError.converting { try architecture.validate() }
    try optimizer.validateAdam()
    try schedule.validate()
    try camera.validate()
    try augmentation.validate()
    guard batchSize > 0, batchSize <= 1 << 20, adjustedLossWeight >= 0, distillationWeight >= 0,
      threads > 0, (adjustedLossDecaySteps ?? 1) > 0, (maxGradientNorm ?? 1) > 0
    else { throw TrainingError.invalidConfiguration("training configuration out of range") }
    if freezePredictor && (adjustment.stages == 0 || adjustedLossWeight == 0) {
      throw TrainingError.invalidConfiguration(
        "a frozen lifter trains only the adjustment network: it needs K ≥ 1 stages and λ > 0")
    }
  }

  /// JSON text (sorted keys).
  public func json() throws -> String { try Checkpoint.jsonText(self) }

  /// What inference reads of this configuration: P's shape, A's and the output scale.
  public var architecture: SupervisedLifterArchitecture {
    SupervisedLifterArchitecture(network: network, adjustment: adjustment, outputScale: outputScale)
  }
}

extension AdamSettings {
  func validateAdam() throws { _ = try Adam<Float>(settings: self) }
}

/// Losses of one training step.
public struct StepReport: Sendable {
  /// 0-based step index.
  public var step: Int
  /// Learning rate used.
  public var learningRate: Double
  /// L(P(x), y) in mm (MPJPE for the default loss).
  public var predictionLoss: Double
  /// L(A(P(x), b), y), nil when K = 0 or λ = μ = 0.
  public var adjustedLoss: Double?
  /// L(P(x), A(P(x), b)) (distillation), nil when μ = 0.
  public var distillationLoss: Double?
  /// Joint gradient norm before clipping.
  public var gradientNorm: Double
}

/// Validation metrics (all in mm).
public struct EvaluationResult: Sendable {
  /// Number of samples.
  public var count: Int
  /// Mean per-joint position error of P (root-relative).
  public var mpjpe: Double
  /// MPJPE after per-sample Procrustes alignment.
  public var paMPJPE: Double
  /// Mean absolute bone-length error of P's poses against the true lengths.
  public var boneLengthError: Double
  /// MPJPE of A(P(x), b) (evaluation mode, no disturbance), nil when K = 0.
  public var adjustedMPJPE: Double?
}

/// Trains the 2D→3D lifter P with AITE's adjustment network A.
///
/// One step: x → P → p (mm, `outputScale` × P's output); loss L(p, y); with K > 0, a = A(p, b) and
/// λ·L(a, y) (gradient flows through A into P) plus μ·L(p, stop-gradient(a)); back-propagate, clip (if
/// set), Adam update with the scheduled learning rate. With λ = 0 and μ > 0 (e.g. at the end of a
/// curriculum) A still learns from its own loss but sends no gradient to P.
///
/// Reproducibility: weights come from stream `seed`; batch `t` uses the samples at positions
/// [t·B, (t+1)·B) of a concatenation of per-epoch permutations, each seeded from (seed, epoch), and its
/// augmentation stream is seeded from (seed, t), so a batch depends only on the seed and the step. The
/// dropout/disturbance stream is saved in checkpoints. Resuming from a checkpoint therefore repeats the
/// exact next steps (same thread count: OpenBLAS sums in a fixed order for a fixed thread count).
public final class AITETrainer {
  /// The configuration.
  public let config: TrainingConfig
  /// The prediction network P.
  public let predictor: ResidualMLP<Float>
  /// The adjustment network A (training only).
  public let adjustment: AdjustmentNetwork<Float>
  /// The optimiser.
  public let optimizer: Adam<Float>
  /// All trainable tensors (P's first, then A's).
  public let parameters: ParameterSet<Float>
  /// Samples of the training set.
  public let generator: SampleGenerator
  /// Steps done.
  public private(set) var step = 0
  /// Stream for dropout and DCM disturbances (saved in checkpoints).
  public private(set) var rng: Xoshiro256
  private let dataSeed: UInt64

  /// Builds P and A from the configuration's seed.
  public init(config: TrainingConfig) throws {
    try config.validate()
    self.config = config
    var master = Xoshiro256(seed: config.seed)
    var initRNG = master.split()
    predictor = try ResidualMLP<Float>(name: "lifter", config: config.network, rng: &initRNG)
    var adjustRNG = master.split()
    adjustment = try AdjustmentNetwork<Float>(name: "adjustment", config: config.adjustment, rng: &adjustRNG)
    optimizer = try Adam<Float>(settings: config.optimizer)
    parameters = try ParameterSet<Float>([predictor, adjustment])
    rng = master.split()
    dataSeed = master.next()
    generator = try SampleGenerator(camera: config.camera, augmentation: config.augmentation)
  }

  /// Sample indices of step `step` for a training set of `count` poses (see the type's documentation).
  public func batchIndices(step: Int, count: Int) -> [Int] {
    precondition(count > 0, "empty training set")
    let b = config.batchSize
    var indices: [Int] = []
    indices.reserveCapacity(b)
    var position = step * b
    var epoch = -1
    var permutation: [Int] = []
    while indices.count < b {
      let e = position / count
      if e != epoch {
        epoch = e
        var g = Xoshiro256(seed: dataSeed ^ (0x9E37_79B9_7F4A_7C15 &* UInt64(e + 1)))
        permutation = g.permutation(count)
      }
      indices.append(permutation[position % count])
      position += 1
    }
    return indices
  }

  /// The augmented batch of step `step` from world poses (metres, Y up).
  ///
  /// - Throws: `TrainingError.badDataset` for an empty training set or a malformed pose.
  public func trainingBatch(step: Int, poses: [[Vec3]]) throws -> PoseBatch {
    guard !poses.isEmpty else {
      throw TrainingError.badDataset(path: "(poses)", reason: "the training set is empty")
    }
    var g = Xoshiro256(seed: dataSeed &+ 0xD1B5_4A32_D192_ED03 &* UInt64(step + 1))
    return try generator.batch(poses, indices: batchIndices(step: step, count: poses.count), &g)
  }

  /// Copies the weights of a trained lifter into P (e.g. before training A alone on it).
  ///
  /// - Throws: `TrainingError.shapeMismatch` when the lifter's network has another shape.
  public func loadPredictor(from lifter: LifterModel) throws {
    let pairs = zip(lifter.network.parameters, predictor.parameters).map { ($0.value, $1.value, $1.name) }
    let buffers = zip(lifter.network.buffers, predictor.buffers).map { ($0.value, $1.value, $1.name) }
    guard lifter.network.parameters.count == predictor.parameters.count,
      lifter.network.buffers.count == predictor.buffers.count
    else {
      throw TrainingError.shapeMismatch(
        what: "lifter tensors", expected: "\(predictor.parameters.count) parameters",
        actual: "\(lifter.network.parameters.count)")
    }
    for (s, t, name) in pairs + buffers where s.shape != t.shape {
      throw TrainingError.shapeMismatch(
        what: "lifter tensor \(name)", expected: "\(t.shape)", actual: "\(s.shape)")
    }
    for (s, t) in zip(lifter.network.parameters, predictor.parameters) { t.value = s.value }
    for (s, t) in zip(lifter.network.buffers, predictor.buffers) { t.value = s.value }
  }

  /// λ at the current step (after the curriculum).
  public var currentAdjustedWeight: Double {
    guard let decay = config.adjustedLossDecaySteps else { return config.adjustedLossWeight }
    return config.adjustedLossWeight * max(0, 1 - Double(step) / Double(decay))
  }

  /// P's prediction in mm for normalised inputs (evaluation mode).
  public func predict(_ inputs: Matrix<Float>) -> Matrix<Float> {
    var context = ForwardContext(training: false)
    var out = predictor.forward(inputs, context: &context)
    out.scale(by: Float(config.outputScale))
    return out
  }

  /// One training step on `batch`.
  @discardableResult
  public func trainStep(_ batch: PoseBatch) -> StepReport {
    BLASThreads.set(config.threads)
    var context = ForwardContext(training: true, rng: rng.split())
    let scale = Float(config.outputScale)
    let frozen = config.freezePredictor
    var prediction: Matrix<Float>
    if frozen {
      var evaluation = ForwardContext(training: false)
      prediction = predictor.forward(batch.inputs, context: &evaluation)
    } else {
      prediction = predictor.forward(batch.inputs, context: &context)
    }
    prediction.scale(by: scale)
    let direct = Loss.compute(config.loss, prediction, batch.targets)
    var gradient = direct.gradient
    var adjustedLoss: Double? = nil
    var distillationLoss: Double? = nil
    let lambda = currentAdjustedWeight
    let mu = config.distillationWeight
    if !adjustment.stages.isEmpty && (lambda > 0 || mu > 0) {
      let adjusted = adjustment.forward(prediction, lengths: batch.boneLengths, context: &context)
      let a = Loss.compute(config.loss, adjusted, batch.targets)
      adjustedLoss = a.value
      if lambda > 0 {
        var g = a.gradient
        g.scale(by: Float(lambda))
        let (dPose, _) = adjustment.backward(g)
        gradient.add(dPose)
      } else {
        // A still learns from its own loss, but nothing reaches P through it.
        _ = adjustment.backward(a.gradient)
      }
      if mu > 0 {
        let d = Loss.compute(config.loss, prediction, adjusted)
        distillationLoss = d.value
        gradient.add(d.gradient, scale: Float(mu))
      }
    }
    gradient.scale(by: scale)
    if !frozen { _ = predictor.backward(gradient) }
    let norm = config.maxGradientNorm.map { parameters.clipGradientNorm($0) } ?? parameters.gradientNorm
    let lr = config.schedule.rate(at: step)
    optimizer.update(
      frozen ? adjustment.parameters : parameters.parameters, learningRate: lr, threads: config.threads)
    parameters.zeroGradients()
    rng = context.rng
    let report = StepReport(
      step: step, learningRate: lr, predictionLoss: direct.value, adjustedLoss: adjustedLoss,
      distillationLoss: distillationLoss, gradientNorm: norm)
    step += 1
    return report
  }

  /// MPJPE, PA-MPJPE and bone-length error of P (and A's MPJPE) on `batch`, in evaluation mode.
  public func evaluate(_ batch: PoseBatch) throws -> EvaluationResult {
    let prediction = predict(batch.inputs)
    var adjustedMPJPE: Double? = nil
    if !adjustment.stages.isEmpty {
      var context = ForwardContext(training: false)
      let a = adjustment.forward(prediction, lengths: batch.boneLengths, context: &context)
      adjustedMPJPE = Loss.meanJointDistance(a, batch.targets).value
    }
    var mpjpe = 0.0
    var pa = 0.0
    var boneError = 0.0
    let n = batch.count
    for r in 0..<n {
      let p = Self.joints(prediction, row: r)
      let y = Self.joints(batch.targets, row: r)
      mpjpe += try PoseMetrics.mpjpe(p, y)
      pa += try PoseMetrics.paMPJPE(p, y)
      let lengths = try PoseMetrics.boneLengths(p, skeleton: .h36m17)
      let truth = batch.boneLengths.row(r).map { Double($0) }
      boneError += try BoneLengthError(lengths: lengths, reference: truth).meanAbsolute
    }
    let d = Double(max(n, 1))
    return EvaluationResult(
      count: n, mpjpe: mpjpe / d, paMPJPE: pa / d, boneLengthError: boneError / d,
      adjustedMPJPE: adjustedMPJPE)
  }

  static func joints(_ m: Matrix<Float>, row: Int) -> [Vec3] {
    let v = m.row(row)
    return (0..<(v.count / 3)).map { Vec3(Double(v[3 * $0]), Double(v[3 * $0 + 1]), Double(v[3 * $0 + 2])) }
  }

  /// Saves weights, optimiser state, step, random stream and configuration to `path` (atomic write).
  public func saveCheckpoint(to path: String, extra: [String: String] = [:]) throws {
    try Checkpoint.save(
      to: path, parameters: parameters, optimizer: optimizer,
      metadata: CheckpointMetadata(step: step, rngState: rng.state, config: try config.json(), extra: extra))
  }

  /// A trainer restored from a checkpoint written by `saveCheckpoint`: same configuration, weights,
  /// optimiser state, step and random stream.
  ///
  /// - Throws: `TrainingError.badCheckpoint` when the configuration is missing or does not decode, and the
  ///   errors of `Checkpoint.load`.
  public static func resume(from path: String) throws -> AITETrainer {
    let file = try ModelIOReader.metadata(path)
    guard let text = file["config"],
      let config = try? JSONDecoder().decode(TrainingConfig.self, from: Data(text.utf8))
    else {
      throw TrainingError.badCheckpoint(
        path: path, reason: "metadata 'config' is missing or not a training configuration")
    }
    let trainer = try AITETrainer(config: config)
    let meta = try Checkpoint.load(from: path, into: trainer.parameters, optimizer: trainer.optimizer)
    trainer.step = meta.step
    trainer.rng = try Xoshiro256(state: meta.rngState)
    return trainer
  }
}

extension TrainingConfig {
  /// Reads a configuration; every missing key takes its default (`TrainingConfig()`), so a partial JSON
  /// file such as `{"seed": 3, "adjustment": {"stages": 1}}` is a valid configuration.
  public init(from decoder: Decoder) throws {
    let c = try decoder.container(keyedBy: CodingKeys.self)
    self.init()
    func value<T: Decodable>(_ key: CodingKeys, _ fallback: T) throws -> T {
      try c.decodeIfPresent(T.self, forKey: key) ?? fallback
    }
    seed = try value(.seed, seed)
    network = try value(.network, network)
    adjustment = try value(.adjustment, adjustment)
    adjustedLossWeight = try value(.adjustedLossWeight, adjustedLossWeight)
    adjustedLossDecaySteps = try c.decodeIfPresent(Int.self, forKey: .adjustedLossDecaySteps)
    distillationWeight = try value(.distillationWeight, distillationWeight)
    loss = try value(.loss, loss)
    optimizer = try value(.optimizer, optimizer)
    schedule = try value(.schedule, schedule)
    batchSize = try value(.batchSize, batchSize)
    maxGradientNorm = try c.decodeIfPresent(Double.self, forKey: .maxGradientNorm)
    outputScale = try value(.outputScale, outputScale)
    camera = try value(.camera, camera)
    augmentation = try value(.augmentation, augmentation)
    threads = try value(.threads, threads)
    freezePredictor = try value(.freezePredictor, freezePredictor)
  }

  /// Decodes a JSON configuration (missing keys take defaults) and validates it; `path` is used in errors.
  ///
  /// - Throws: `TrainingError.invalidConfiguration` naming `path` when the JSON is malformed or a value is
  ///   out of range.
  public static func decode(_ data: Data, path: String) throws -> TrainingConfig {
    let config: TrainingConfig
    do {
      config = try JSONDecoder().decode(TrainingConfig.self, from: data)
    } catch {
      throw TrainingError.invalidConfiguration("\(path) is not a training configuration JSON (\(error))")
    }
    try config.validate()
    return config
  }
}
