// PoseCore: singular value decomposition of 3×3 matrices by one-sided (Hestenes) Jacobi rotations.

/// The singular value decomposition `M = U · diag(singularValues) · Vᵀ` of a 3×3 matrix.
///
/// `U` and `V` are orthogonal (their determinants may be −1); singular values are non-negative and sorted
/// in decreasing order. Rank-deficient input gets `U` columns completed to an orthonormal basis.
public struct SVD3: Sendable, Hashable {
  /// Left singular vectors (columns).
  public let u: Mat3
  /// Singular values, largest first.
  public let singularValues: Vec3
  /// Right singular vectors (columns).
  public let v: Mat3

  /// Maximum number of Jacobi sweeps (each sweep visits the three column pairs).
  static let maxSweeps = 64

  /// Decomposes `m`. Non-finite input gives non-finite output but always terminates.
  public init(_ m: Mat3) {
    // Work on M / max|m_ij| so squared norms cannot overflow or underflow; scale σ back at the end.
    var scale = 0.0
    for i in 0..<3 { for j in 0..<3 { scale = max(scale, abs(m[i, j])) } }
    if !(scale > 0 && scale.isFinite) { scale = 1 }
    let m = Mat3(rows: m.r0 / scale, m.r1 / scale, m.r2 / scale)
    // One-sided Jacobi: rotate column pairs of A = M·V until they are mutually orthogonal; then
    // A = U·Σ with Σ the column norms.
    var a = [m.column(0), m.column(1), m.column(2)]
    var vCols = [Vec3(1, 0, 0), Vec3(0, 1, 0), Vec3(0, 0, 1)]
    let eps = 2.220446049250313e-16
    for _ in 0..<Self.maxSweeps {
      var rotated = false
      for (p, q) in [(0, 1), (0, 2), (1, 2)] {
        let alpha = a[p].squaredNorm
        let beta = a[q].squaredNorm
        let gamma = a[p].dot(a[q])
        guard gamma != 0, abs(gamma) > eps * (alpha * beta).squareRoot() else { continue }
        guard gamma.isFinite, alpha.isFinite, beta.isFinite else { continue }
        rotated = true
        let zeta = (beta - alpha) / (2 * gamma)
        let sign: Double = zeta >= 0 ? 1 : -1
        let t = sign / (abs(zeta) + (1 + zeta * zeta).squareRoot())
        let c = 1 / (1 + t * t).squareRoot()
        let s = c * t
        let ap = a[p]
        let aq = a[q]
        a[p] = c * ap - s * aq
        a[q] = s * ap + c * aq
        let vp = vCols[p]
        let vq = vCols[q]
        vCols[p] = c * vp - s * vq
        vCols[q] = s * vp + c * vq
      }
      if !rotated { break }
    }
    var sigma = a.map(\.norm)
    // Sort by decreasing singular value (NaN last).
    let order = [0, 1, 2].sorted { i, j in
      if sigma[i].isNaN { return false }
      if sigma[j].isNaN { return true }
      return sigma[i] > sigma[j]
    }
    a = order.map { a[$0] }
    vCols = order.map { vCols[$0] }
    sigma = order.map { sigma[$0] }

    // Left singular vectors: normalised columns, re-orthogonalised; negligible ones completed.
    let tiny = max(sigma[0], 0) * 1e-13
    var uCols: [Vec3] = []
    for k in 0..<3 {
      var candidate: Vec3? = nil
      if sigma[k] > tiny, sigma[k] > 0 {
        var x = a[k] / sigma[k]
        for prev in uCols { x -= x.dot(prev) * prev }
        candidate = x.normalized
      }
      if candidate == nil {
        candidate = Self.completion(uCols)
      }
      uCols.append(candidate ?? Vec3(0, 0, 0))
    }
    if sigma[0].isNaN || !(a.allSatisfy { $0.x.isFinite && $0.y.isFinite && $0.z.isFinite }) {
      let nan = Vec3(repeating: .nan)
      self.u = Mat3(columns: nan, nan, nan)
      self.singularValues = nan
      self.v = Mat3(columns: nan, nan, nan)
      return
    }
    self.u = Mat3(columns: uCols[0], uCols[1], uCols[2])
    self.singularValues = scale * Vec3(sigma[0], sigma[1], sigma[2])
    self.v = Mat3(columns: vCols[0], vCols[1], vCols[2])
  }

  /// A unit vector orthogonal to all (orthonormal) `vectors` (at most two).
  static func completion(_ vectors: [Vec3]) -> Vec3 {
    switch vectors.count {
    case 0:
      return Vec3(1, 0, 0)
    case 1:
      // Cross with the basis axis least aligned with the vector.
      let u = vectors[0]
      let axis =
        abs(u.x) <= abs(u.y) && abs(u.x) <= abs(u.z)
        ? Vec3(1, 0, 0)
        : (abs(u.y) <= abs(u.z) ? Vec3(0, 1, 0) : Vec3(0, 0, 1))
      return u.cross(axis).normalized ?? Vec3(0, 1, 0)
    default:
      return vectors[0].cross(vectors[1]).normalized ?? Vec3(0, 0, 1)
    }
  }

  /// `U · diag(σ) · Vᵀ`.
  public var reconstructed: Mat3 { u * Mat3(diagonal: singularValues) * v.transposed }
}
