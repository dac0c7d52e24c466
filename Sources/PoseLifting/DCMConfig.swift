// PoseLifting: the configuration of AITE's adjustment network — its Disturbance-Correction Modules (DCM)
// and how many of them are cascaded (a lifter file's `adjustment`).

/// How a DCM perturbs its input pose in training (never in evaluation).
public enum DCMDisturbance: Codable, Sendable, Equatable {
  /// No disturbance.
  case none
  /// Independent Gaussian noise of `standardDeviation` (pose units, e.g. mm) on every coordinate of every
  /// joint except the root (which stays at the origin of a root-relative pose).
  case jointNoise(standardDeviation: Double)
  /// Every bone's length scaled by `1 + standardDeviation · N(0, 1)` (clamped to [0.5, 1.5]) and the pose
  /// rebuilt from the root along the tree, directions kept: a length error rather than a joint error.
  case boneScaling(standardDeviation: Double)
}

/// Which paths carry ∂L/∂(current bone length) back to the input pose.
public enum DCMLengthGradient: String, Codable, Sendable, Equatable {
  /// Full gradient: the correction magnitude `g·(b − l)` and the head's gap features depend on the current
  /// length `l`, so A's loss can change P's bone lengths.
  case full
  /// The current length is treated as a constant (stop-gradient) wherever it enters the correction
  /// magnitude or the gap features: A's loss reaches P through joint positions and bone directions only.
  case directionsOnly
}

/// Configuration of one Disturbance-Correction Module (all stages of a cascade share it).
///
/// A module's tensors, under a prefix S (`adjustment.dcm<i>`): `S.head.hidden` (a linear layer
/// [3J + bones] → `hiddenWidth`, then ReLU) and `S.head.output` (`hiddenWidth` → [J + bones]: per-joint
/// confidence logits, then per-bone gate logits), each with `.weight` [outputs, inputs] and `.bias`
/// [1, outputs].
public struct DCMConfig: Codable, Sendable, Equatable {
  /// Hidden width of the confidence/gate head (one hidden ReLU layer).
  public var hiddenWidth: Int = 64
  /// Training-time disturbance of the module's input pose.
  public var disturbance: DCMDisturbance = .jointNoise(standardDeviation: 20)
  /// Pose units per head-input unit: the head sees `pose / featureScale` (1000 for poses in mm).
  public var featureScale: Double = 1000
  /// Pose units per head-input unit of the bone-length gaps `(b − l) / gapScale` (100 for mm).
  public var gapScale: Double = 100
  /// Initial bias of the gate logits (0 → gates start at 0.5).
  public var initialGateLogit: Double = 0
  /// Scale of the head's output-layer He initialisation (small, so confidences and gates start near their
  /// biases).
  public var headOutputScale: Double = 0.01
  /// Gradient paths through the current bone lengths.
  public var lengthGradient: DCMLengthGradient = .full
  /// Keep the root joint fixed: bones at the root move only their child joint.
  public var pinRoot: Bool = true

  /// Creates a configuration.
  public init(
    hiddenWidth: Int = 64, disturbance: DCMDisturbance = .jointNoise(standardDeviation: 20),
    featureScale: Double = 1000, gapScale: Double = 100, initialGateLogit: Double = 0,
    headOutputScale: Double = 0.01, lengthGradient: DCMLengthGradient = .full, pinRoot: Bool = true
  ) {
    self.hiddenWidth = hiddenWidth
    self.disturbance = disturbance
    self.featureScale = featureScale
    self.gapScale = gapScale
    self.initialGateLogit = initialGateLogit
    self.headOutputScale = headOutputScale
    self.lengthGradient = lengthGradient
    self.pinRoot = pinRoot
  }

  /// Checks sizes (hidden width 1…16384) and scales.
  ///
  /// - Throws: `LiftingError.invalidConfiguration`.
  public func validate() throws {
    var ok = hiddenWidth > 0 && hiddenWidth <= 16_384 && featureScale > 0 && gapScale > 0
    ok = ok && headOutputScale >= 0 && headOutputScale.isFinite
    ok = ok && initialGateLogit.isFinite && featureScale.isFinite && gapScale.isFinite
    switch disturbance {
    case .none: break
    case .jointNoise(let s), .boneScaling(let s): ok = ok && s >= 0 && s.isFinite
    }
    guard ok else { throw LiftingError.invalidConfiguration("DCM configuration out of range: \(self)") }
  }
}

/// Configuration of the adjustment network: `stages` cascaded DCMs (0 = plain training).
public struct AdjustmentConfig: Codable, Sendable, Equatable {
  /// Largest number of stages.
  public static let maxStages = 16

  /// Number of cascaded DCMs (K).
  public var stages: Int = 2
  /// Configuration shared by every stage.
  public var module: DCMConfig = DCMConfig()

  /// Creates a configuration.
  public init(stages: Int = 2, module: DCMConfig = DCMConfig()) {
    self.stages = stages
    self.module = module
  }

  /// Checks the number of stages (0…16) and the module's configuration.
  ///
  /// - Throws: `LiftingError.invalidConfiguration`.
  public func validate() throws {
    guard stages >= 0, stages <= Self.maxStages else {
      throw LiftingError.invalidConfiguration("AITE stages must be 0…\(Self.maxStages) (got \(stages))")
    }
    try module.validate()
  }
}

extension DCMConfig {
  /// Reads a configuration; missing keys take their defaults.
  public init(from decoder: Decoder) throws {
    let c = try decoder.container(keyedBy: CodingKeys.self)
    self.init()
    hiddenWidth = try c.decodeIfPresent(Int.self, forKey: .hiddenWidth) ?? hiddenWidth
    disturbance = try c.decodeIfPresent(DCMDisturbance.self, forKey: .disturbance) ?? disturbance
    featureScale = try c.decodeIfPresent(Double.self, forKey: .featureScale) ?? featureScale
    gapScale = try c.decodeIfPresent(Double.self, forKey: .gapScale) ?? gapScale
    initialGateLogit = try c.decodeIfPresent(Double.self, forKey: .initialGateLogit) ?? initialGateLogit
    headOutputScale = try c.decodeIfPresent(Double.self, forKey: .headOutputScale) ?? headOutputScale
    lengthGradient = try c.decodeIfPresent(DCMLengthGradient.self, forKey: .lengthGradient) ?? lengthGradient
    pinRoot = try c.decodeIfPresent(Bool.self, forKey: .pinRoot) ?? pinRoot
  }
}

extension AdjustmentConfig {
  /// Reads a configuration; missing keys take their defaults.
  public init(from decoder: Decoder) throws {
    let c = try decoder.container(keyedBy: CodingKeys.self)
    self.init()
    stages = try c.decodeIfPresent(Int.self, forKey: .stages) ?? stages
    module = try c.decodeIfPresent(DCMConfig.self, forKey: .module) ?? module
  }
}
