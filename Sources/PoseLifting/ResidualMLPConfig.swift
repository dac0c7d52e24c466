// PoseLifting: the shape of the lifter's SimpleBaseline-style residual MLP (a lifter file's `network`).

/// Shape of a SimpleBaseline-style residual MLP (Martinez et al., "A simple yet effective baseline for
/// 3d human pose estimation", ICCV 2017: 1024 wide, 2 blocks, batch norm, dropout 0.5).
///
/// The network: `Linear(inputs → width) → Norm → ReLU → Dropout → blocks × ResidualBlock →
/// Linear(width → outputs)`, where a residual block is `y = x + f(x)` with
/// `f = (Linear → Norm → ReLU → Dropout) × 2`. Tensor names under a prefix P (`lifter`, `teacher`,
/// `student`): `P.input`, `P.input_norm`, `P.block<b>.linear<i>`, `P.block<b>.norm<i>` (i = 1, 2) and
/// `P.output`; a linear layer has `.weight` [outputs, inputs] and `.bias` [1, outputs], a norm `.scale`
/// and `.shift` [1, width], and batch norm also `.running_mean` and `.running_variance` [1, width].
public struct ResidualMLPConfig: Codable, Sendable, Equatable {
  /// Input features.
  public var inputs: Int
  /// Output features.
  public var outputs: Int
  /// Hidden width.
  public var width: Int = 1024
  /// Number of residual blocks.
  public var blocks: Int = 2
  /// Dropout rate inside the network.
  public var dropout: Double = 0.5
  /// Normalisation after each hidden linear layer.
  public var normalization: Normalization = .batch

  /// Creates a configuration.
  public init(
    inputs: Int, outputs: Int, width: Int = 1024, blocks: Int = 2, dropout: Double = 0.5,
    normalization: Normalization = .batch
  ) {
    self.inputs = inputs
    self.outputs = outputs
    self.width = width
    self.blocks = blocks
    self.dropout = dropout
    self.normalization = normalization
  }

  /// Checks that sizes are positive and at most 16,384 (blocks at most 64) and the dropout rate is in
  /// [0, 1), so a configuration read from a file cannot ask for absurd allocations.
  ///
  /// - Throws: `LiftingError.invalidConfiguration`.
  public func validate() throws {
    let sizes = [inputs, outputs, width]
    guard sizes.allSatisfy({ $0 > 0 && $0 <= 16_384 }), blocks >= 0, blocks <= 64, dropout >= 0, dropout < 1
    else {
      throw LiftingError.invalidConfiguration(
        "residual MLP needs inputs/outputs/width in 1…16384, blocks in 0…64 and dropout in [0, 1) "
          + "(got \(inputs)/\(outputs)/\(width), \(blocks) blocks, dropout \(dropout))")
    }
  }
}

extension ResidualMLPConfig {
  /// Reads a configuration; `inputs` and `outputs` are required, the other keys default.
  public init(from decoder: Decoder) throws {
    let c = try decoder.container(keyedBy: CodingKeys.self)
    self.init(
      inputs: try c.decode(Int.self, forKey: .inputs), outputs: try c.decode(Int.self, forKey: .outputs))
    width = try c.decodeIfPresent(Int.self, forKey: .width) ?? width
    blocks = try c.decodeIfPresent(Int.self, forKey: .blocks) ?? blocks
    dropout = try c.decodeIfPresent(Double.self, forKey: .dropout) ?? dropout
    normalization = try c.decodeIfPresent(Normalization.self, forKey: .normalization) ?? normalization
  }
}
