// PoseTraining: the error type of training, checkpoints, joint maps and pose datasets, and how PoseLifting's
// errors map onto it.

import PoseLifting

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

extension TrainingError {
  /// The training error for an error of PoseLifting: a bad lifter file is a bad checkpoint, a
  /// configuration, argument or missing adjustment network an invalid configuration, a size a shape
  /// mismatch.
  public init(_ error: LiftingError) {
    switch error {
    case .badFile(let path, let reason): self = .badCheckpoint(path: path, reason: reason)
    case .invalidConfiguration(let reason), .invalidArgument(let reason):
      self = .invalidConfiguration(reason)
    case .shapeMismatch(let what, let expected, let actual):
      self = .shapeMismatch(what: what, expected: expected, actual: actual)
    case .noAdjustmentNetwork:
      self = .invalidConfiguration("\(error)")
    }
  }

  /// `body`'s result, with a `LiftingError` it throws rethrown as the matching `TrainingError`.
  static func converting<T>(_ body: () throws -> T) throws -> T {
    do { return try body() } catch let error as LiftingError { throw TrainingError(error) }
  }
}
