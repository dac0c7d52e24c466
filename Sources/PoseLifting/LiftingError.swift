// PoseLifting: the error type of lifter files, architecture configurations and lifting calls.

/// An error from PoseLifting: a lifter file that cannot be used, a configuration or argument out of range,
/// or a call with the wrong number of points, joints or lengths.
public enum LiftingError: Error, CustomStringConvertible, Equatable, Sendable {
  /// The lifter file at `path` has another format, bad metadata, a missing tensor, a wrong shape or
  /// non-finite values.
  case badFile(path: String, reason: String)
  /// A configuration value (a network's shape, a DCM setting) is outside its valid range.
  case invalidConfiguration(String)
  /// An argument (a body height, a thread count, a non-finite point) is outside its valid range.
  case invalidArgument(String)
  /// An input did not have the expected size.
  case shapeMismatch(what: String, expected: String, actual: String)
  /// `adjust` was called on a lifter whose file has no trained adjustment network.
  case noAdjustmentNetwork(path: String)

  public var description: String {
    switch self {
    case .badFile(let path, let reason):
      return "lifter \(path): \(reason)"
    case .invalidConfiguration(let reason):
      return "invalid configuration: \(reason)"
    case .invalidArgument(let reason):
      return "invalid argument: \(reason)"
    case .shapeMismatch(let what, let expected, let actual):
      return "\(what): expected shape \(expected), got \(actual)"
    case .noAdjustmentNetwork(let path):
      return "lifter \(path) has no trained adjustment network (train one with --aite-stages K ≥ 1)"
    }
  }
}
