// PoseLifting: the normalisation layer kind of the lifter's residual MLP and its variance ε.

/// Normalisation layer used in residual MLPs.
public enum Normalization: String, Codable, Sendable, CaseIterable {
  /// `BatchNorm` (Martinez et al. 2017).
  case batch
  /// `LayerNorm`.
  case layer
  /// No normalisation.
  case none

  /// ε added to the variance by both kinds of normalisation, in training and at inference.
  public static let epsilon = 1e-5
}
