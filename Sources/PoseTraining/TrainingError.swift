// PoseTraining: the error type of training, checkpoints, joint maps and pose datasets.

/// An error from PoseTraining (checkpoints, configurations, joint maps, datasets); BVH parsing has its own
/// `BVHError` with line numbers.
public enum TrainingError: Error, CustomStringConvertible, Equatable, Sendable {
  /// A tensor, matrix or array did not have the expected shape.
  case shapeMismatch(what: String, expected: String, actual: String)
  /// A configuration or argument value is outside its valid range.
  case invalidConfiguration(String)
  /// A checkpoint file is missing a tensor, has a wrong shape or bad metadata.
  case badCheckpoint(path: String, reason: String)
  /// A joint map (JSON or built-in) is malformed or does not fit the skeleton it is applied to.
  case badJointMap(path: String, reason: String)
  /// A pose dataset file is malformed.
  case badDataset(path: String, reason: String)
  /// A file could not be read or written.
  case io(path: String, reason: String)

  public var description: String {
    switch self {
    case .shapeMismatch(let what, let expected, let actual):
      return "\(what): expected shape \(expected), got \(actual)"
    case .invalidConfiguration(let reason):
      return "invalid configuration: \(reason)"
    case .badCheckpoint(let path, let reason):
      return "checkpoint \(path): \(reason)"
    case .badJointMap(let path, let reason):
      return "joint map \(path): \(reason)"
    case .badDataset(let path, let reason):
      return "pose dataset \(path): \(reason)"
    case .io(let path, let reason):
      return "\(path): \(reason)"
    }
  }
}
