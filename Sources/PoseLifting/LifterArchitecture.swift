// PoseLifting: what inference reads from a lifter file's `config` metadata — the network shapes, the
// output scale and the adjustment network — for each kind of lifter.

import PoseCore

/// A supervised lifter's architecture: the part of its file's `config` metadata (a training
/// configuration's JSON, whose other keys are training settings) that inference needs. Missing keys take
/// the defaults, which are also the training defaults.
public struct SupervisedLifterArchitecture: Codable, Sendable, Equatable {
  /// Tensor-name prefix of the prediction network P.
  public static let networkPrefix = "lifter"
  /// Tensor-name prefix of the adjustment network A.
  public static let adjustmentPrefix = "adjustment"
  /// The default P: SimpleBaseline (1024 × 2 blocks, batch norm, dropout 0.5), 34 inputs → 51 outputs.
  public static let defaultNetwork = ResidualMLPConfig(
    inputs: KeypointNormalization.inputCount, outputs: 3 * H36M17.count)
  /// The default millimetres per unit of P's raw output (decimetres).
  public static let defaultOutputScale = 100.0

  /// The prediction network P (34 normalised inputs → 17 joints × 3).
  public var network = defaultNetwork
  /// The adjustment network A (its tensors may be absent from a file even when `stages` > 0).
  public var adjustment = AdjustmentConfig()
  /// Millimetres per unit of P's raw output.
  public var outputScale = defaultOutputScale

  /// Creates an architecture.
  public init(
    network: ResidualMLPConfig = defaultNetwork, adjustment: AdjustmentConfig = AdjustmentConfig(),
    outputScale: Double = defaultOutputScale
  ) {
    self.network = network
    self.adjustment = adjustment
    self.outputScale = outputScale
  }

  /// Reads the architecture from a training configuration's JSON; missing keys take their defaults.
  public init(from decoder: Decoder) throws {
    let c = try decoder.container(keyedBy: CodingKeys.self)
    self.init()
    network = try c.decodeIfPresent(ResidualMLPConfig.self, forKey: .network) ?? network
    adjustment = try c.decodeIfPresent(AdjustmentConfig.self, forKey: .adjustment) ?? adjustment
    outputScale = try c.decodeIfPresent(Double.self, forKey: .outputScale) ?? outputScale
  }

  /// Checks P's shape (34 → 51), A's configuration and the output scale (positive, finite).
  ///
  /// - Throws: `LiftingError.invalidConfiguration`.
  public func validate() throws {
    try network.validate()
    guard network.inputs == KeypointNormalization.inputCount, network.outputs == 3 * H36M17.count else {
      throw LiftingError.invalidConfiguration(
        "the lifter maps 34 inputs to 51 outputs (got \(network.inputs) → \(network.outputs))")
    }
    try adjustment.validate()
    guard outputScale > 0, outputScale.isFinite else {
      throw LiftingError.invalidConfiguration("output scale \(outputScale) must be positive and finite")
    }
  }
}

/// An unsupervised lifter's architecture: the part of its file's `config` metadata (an unsupervised
/// training configuration's JSON) that inference needs, and the roles that prefix its tensors.
public struct UnsupervisedLifterArchitecture: Codable, Sendable, Equatable {
  /// Values of a file's `role` metadata, also the prefixes of its tensors; files without it are teachers.
  public static let roles = ["teacher", "student"]
  /// The default network: 34 normalised 2D values → 16 depths (joints 1…16), 1024 × 2 blocks, layer
  /// norm, no dropout.
  public static let defaultNetwork = ResidualMLPConfig(
    inputs: KeypointNormalization.inputCount, outputs: H36M17.count - 1, width: 1024, blocks: 2, dropout: 0,
    normalization: .layer)

  /// The lifter's network (the file's: a student file's configuration has the student's).
  public var network = defaultNetwork

  /// Creates an architecture.
  public init(network: ResidualMLPConfig = defaultNetwork) { self.network = network }

  /// Reads the architecture from an unsupervised training configuration's JSON; a missing `network`
  /// takes the default.
  public init(from decoder: Decoder) throws {
    let c = try decoder.container(keyedBy: CodingKeys.self)
    self.init()
    network = try c.decodeIfPresent(ResidualMLPConfig.self, forKey: .network) ?? network
  }

  /// Checks the network's shape (34 → 16 depths).
  ///
  /// - Throws: `LiftingError.invalidConfiguration`.
  public func validate() throws {
    try network.validate()
    guard network.inputs == KeypointNormalization.inputCount, network.outputs == H36M17.count - 1 else {
      throw LiftingError.invalidConfiguration(
        "the unsupervised lifter maps 34 inputs to 16 depths (got \(network.inputs) → \(network.outputs))")
    }
  }
}
