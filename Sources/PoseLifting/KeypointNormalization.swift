// PoseLifting: the lifter's 2D input normalisation (pixels → 34 scale-free values), shared by training
// and inference.

import PoseCore

/// The lifter's 2D input normalisation (the same at training and inference).
///
/// Given 17 H36M-17 image points u_j (pixels, y down): subtract the pelvis, u_j − u_0, and divide by the
/// root-mean-square distance of the 17 points from the pelvis, s = √(1/17 · Σ_j ‖u_j − u_0‖²) (the pelvis
/// counts as a zero). The input vector is (x_0, y_0, x_1, y_1, …, x_16, y_16) of (u_j − u_0) / s: 34 values,
/// root-relative, scale-free and with RMS norm 1 per joint. When s is 0 or not finite (all points equal),
/// s = 1 is used.
public enum KeypointNormalization {
  /// Number of input values (2 × 17).
  public static let inputCount = 2 * H36M17.count

  /// The normalised input vector for 17 image points.
  public static func normalize(_ points: [Vec2]) -> [Double] {
    precondition(points.count == H36M17.count, "normalize: need 17 points")
    let root = points[0]
    var sumSquares = 0.0
    for p in points { sumSquares += (p - root).squaredNorm }
    var s = (sumSquares / Double(points.count)).squareRoot()
    if !(s > 0 && s.isFinite) { s = 1 }
    return points.flatMap { [($0.x - root.x) / s, ($0.y - root.y) / s] }
  }
}
