// PoseLifting: the kinds of lifter file and the `format` metadata values that name them.

/// The two kinds of lifter PoseScope writes, told apart by a file's `format` metadata.
public enum LifterKind: String, Sendable, CaseIterable {
  /// A supervised (AITE) lifter: metric output, maybe with a trained DCM cascade. Files:
  /// `supervisedFormat` (exported) or `checkpointFormat` (a training checkpoint).
  case supervised
  /// An unsupervised lifter (teacher or student): depths without a scale of their own, scaled to a body
  /// height at inference. Files: `unsupervisedFormat`.
  case unsupervised

  /// `format` of an exported supervised lifter.
  public static let supervisedFormat = "posescope-lifter/1"
  /// `format` of a training checkpoint, whose `lifter.…` tensors are a supervised lifter.
  public static let checkpointFormat = "posescope-training-checkpoint/1"
  /// `format` of an unsupervised lifter.
  public static let unsupervisedFormat = "posescope-unsupervised-lifter/1"

  /// The kind of a file whose `format` metadata is `format`; nil for any other value or none.
  public init?(format: String?) {
    switch format {
    case Self.supervisedFormat?, Self.checkpointFormat?: self = .supervised
    case Self.unsupervisedFormat?: self = .unsupervised
    default: return nil
    }
  }
}
