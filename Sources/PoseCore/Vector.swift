// PoseCore: point types (Vec2/Vec3) and small generic vector helpers shared by the module.

/// A 3D point or vector in Double precision (metres for world landmarks, camera space for projection).
public typealias Vec3 = SIMD3<Double>

/// A 2D point or vector in Double precision (pixels or normalised image coordinates).
public typealias Vec2 = SIMD2<Double>

extension SIMD where Scalar: FloatingPoint {
  /// Euclidean length of the vector.
  @inlinable public var norm: Scalar { (self * self).sum().squareRoot() }

  /// Squared Euclidean length of the vector.
  @inlinable public var squaredNorm: Scalar { (self * self).sum() }

  /// Euclidean distance between two points.
  @inlinable public func distance(to other: Self) -> Scalar { (self - other).norm }

  /// Dot product.
  @inlinable public func dot(_ other: Self) -> Scalar { (self * other).sum() }

  /// Midpoint of two points.
  @inlinable public func midpoint(_ other: Self) -> Self { (self + other) / 2 }

  /// The vector scaled to unit length, or nil when its length is zero or not finite.
  @inlinable public var normalized: Self? {
    let n = norm
    guard n > 0, n.isFinite else { return nil }
    return self / n
  }
}

extension SIMD3 where Scalar: FloatingPoint {
  /// Cross product (right-handed).
  @inlinable public func cross(_ other: Self) -> Self {
    Self(
      y * other.z - z * other.y,
      z * other.x - x * other.z,
      x * other.y - y * other.x)
  }
}

/// Errors from PoseCore functions given inconsistent input (wrong point counts, empty sequences, …).
public enum PoseCoreError: Error, CustomStringConvertible, Equatable, Sendable {
  /// An array had the wrong number of elements.
  case countMismatch(what: String, expected: Int, actual: Int)
  /// An input that must not be empty was empty.
  case empty(what: String)
  /// The input is degenerate for the requested operation (e.g. all points coincide).
  case degenerate(what: String)
  /// An index (joint, bone, root) was outside the valid range.
  case indexOutOfRange(what: String, index: Int, count: Int)
  /// A value was invalid (negative length, non-finite number, …).
  case invalidValue(what: String)

  public var description: String {
    switch self {
    case .countMismatch(let what, let expected, let actual):
      return "\(what): expected \(expected) elements, got \(actual)"
    case .empty(let what):
      return "\(what): input is empty"
    case .degenerate(let what):
      return "\(what): input is degenerate"
    case .indexOutOfRange(let what, let index, let count):
      return "\(what): index \(index) is out of range 0..<\(count)"
    case .invalidValue(let what):
      return "invalid value: \(what)"
    }
  }
}
