// PoseScopeTestSupport: the largest difference between what a test got and what it expected.
import PoseCore
import Testing

/// The largest |a[i] − b[i]|: 0 for two empty sequences, infinity when the counts differ or a difference
/// is NaN (so that a comparison with a tolerance never passes by accident).
public func largestDifference<T: BinaryFloatingPoint>(_ a: [T], _ b: [T]) -> T {
  guard a.count == b.count else { return .infinity }
  var worst: T = 0
  for (x, y) in zip(a, b) {
    let d = abs(x - y)
    if d.isNaN { return .infinity }
    worst = max(worst, d)
  }
  return worst
}

/// The largest distance between corresponding points (e.g. joints, in metres): infinity when the counts
/// differ, when there are no points, or when a distance is NaN.
public func largestDistance(_ a: [Vec3], _ b: [Vec3]) -> Double {
  guard a.count == b.count, !a.isEmpty else { return .infinity }
  var worst = 0.0
  for (p, q) in zip(a, b) {
    let d = p.distance(to: q)
    if d.isNaN { return .infinity }
    worst = max(worst, d)
  }
  return worst
}

/// Fails the test unless `a` and `b` are within `tolerance` of each other.
public func expectClose(
  _ a: Vec3, _ b: Vec3, _ tolerance: Double = 1e-9, sourceLocation: SourceLocation = #_sourceLocation
) {
  #expect((a - b).norm < tolerance, "\(a) ≠ \(b)", sourceLocation: sourceLocation)
}
