// PoseCore: similarity transforms and Procrustes alignment (Umeyama 1991).

/// A similarity transform `p ↦ scale · R · p + translation` with `R` a proper rotation.
public struct SimilarityTransform: Sendable, Hashable {
  /// Rotation (det +1).
  public var rotation: Mat3
  /// Uniform scale.
  public var scale: Double
  /// Translation applied after rotation and scaling.
  public var translation: Vec3

  /// Creates a transform.
  public init(rotation: Mat3 = .identity, scale: Double = 1, translation: Vec3 = .zero) {
    self.rotation = rotation
    self.scale = scale
    self.translation = translation
  }

  /// The identity transform.
  public static let identity = SimilarityTransform()

  /// Applies the transform to a point.
  public func apply(_ p: Vec3) -> Vec3 { scale * (rotation * p) + translation }

  /// Applies the transform to points.
  public func apply(_ points: [Vec3]) -> [Vec3] { points.map(apply) }
}

/// Finds the similarity transform that best maps `source` onto `target` in the least-squares sense
/// (Umeyama, "Least-squares estimation of transformation parameters between two point patterns",
/// IEEE TPAMI 13(4), 1991): minimises `Σ |target_i − (s·R·source_i + t)|²` over proper rotations `R`
/// (reflections are excluded), scale `s` (when `allowScale`) and translation `t`.
///
/// - Throws: `PoseCoreError.countMismatch` when the arrays differ in length, `.empty` for no points,
///   `.degenerate` when all source points coincide (scale undefined) or the input is not finite.
public func procrustes(
  source: [Vec3], target: [Vec3], allowScale: Bool = true
) throws -> SimilarityTransform {
  guard source.count == target.count else {
    throw PoseCoreError.countMismatch(what: "Procrustes target", expected: source.count, actual: target.count)
  }
  guard !source.isEmpty else { throw PoseCoreError.empty(what: "Procrustes points") }
  let n = Double(source.count)
  let muX = source.reduce(Vec3.zero, +) / n
  let muY = target.reduce(Vec3.zero, +) / n
  var covariance = Mat3.zero
  var varianceX = 0.0
  for (x, y) in zip(source, target) {
    let dx = x - muX
    covariance = covariance + Mat3.outer(y - muY, dx)
    varianceX += dx.squaredNorm
  }
  covariance = (1 / n) * covariance
  varianceX /= n
  guard varianceX.isFinite, muY.x.isFinite, muY.y.isFinite, muY.z.isFinite else {
    throw PoseCoreError.degenerate(what: "Procrustes points (not finite)")
  }
  guard varianceX > 0 else { throw PoseCoreError.degenerate(what: "Procrustes source (all points coincide)") }
  let svd = SVD3(covariance)
  var d = Vec3(1, 1, 1)
  if svd.u.determinant * svd.v.determinant < 0 { d.z = -1 }
  let rotation = svd.u * Mat3(diagonal: d) * svd.v.transposed
  let scale = allowScale ? (svd.singularValues * d).sum() / varianceX : 1
  let translation = muY - scale * (rotation * muX)
  return SimilarityTransform(rotation: rotation, scale: scale, translation: translation)
}
