// PoseCore: 3×3 matrices, rotations (axis-angle, yaw/pitch/roll), rotation about a centre, projections.

import Foundation

/// A 3×3 Double matrix stored as three rows.
public struct Mat3: Sendable, Hashable, CustomStringConvertible {
  /// First row.
  public var r0: Vec3
  /// Second row.
  public var r1: Vec3
  /// Third row.
  public var r2: Vec3

  /// Creates a matrix from its rows.
  public init(rows r0: Vec3, _ r1: Vec3, _ r2: Vec3) {
    self.r0 = r0
    self.r1 = r1
    self.r2 = r2
  }

  /// Creates a matrix from its columns.
  public init(columns c0: Vec3, _ c1: Vec3, _ c2: Vec3) {
    self.init(rows: Vec3(c0.x, c1.x, c2.x), Vec3(c0.y, c1.y, c2.y), Vec3(c0.z, c1.z, c2.z))
  }

  /// A diagonal matrix.
  public init(diagonal d: Vec3) {
    self.init(rows: Vec3(d.x, 0, 0), Vec3(0, d.y, 0), Vec3(0, 0, d.z))
  }

  /// The identity matrix.
  public static let identity = Mat3(diagonal: Vec3(1, 1, 1))
  /// The zero matrix.
  public static let zero = Mat3(rows: .zero, .zero, .zero)

  /// Outer product `a · bᵀ`.
  public static func outer(_ a: Vec3, _ b: Vec3) -> Mat3 {
    Mat3(rows: a.x * b, a.y * b, a.z * b)
  }

  /// Row `i` (0…2; other values give the last row).
  public func row(_ i: Int) -> Vec3 {
    switch i {
    case 0: return r0
    case 1: return r1
    default: return r2
    }
  }

  /// Column `j` (0…2).
  public func column(_ j: Int) -> Vec3 { Vec3(r0[j], r1[j], r2[j]) }

  /// Element at row `i`, column `j` (both 0…2).
  public subscript(i: Int, j: Int) -> Double {
    get { row(i)[j] }
    set {
      switch i {
      case 0: r0[j] = newValue
      case 1: r1[j] = newValue
      default: r2[j] = newValue
      }
    }
  }

  /// The transpose.
  public var transposed: Mat3 { Mat3(columns: r0, r1, r2) }

  /// The determinant.
  public var determinant: Double { r0.dot(r1.cross(r2)) }

  /// The trace.
  public var trace: Double { r0.x + r1.y + r2.z }

  /// Frobenius norm.
  public var frobeniusNorm: Double { (r0.squaredNorm + r1.squaredNorm + r2.squaredNorm).squareRoot() }

  /// Largest absolute element difference to another matrix.
  public func maxAbsDifference(_ other: Mat3) -> Double {
    var result = 0.0
    for i in 0..<3 {
      for j in 0..<3 {
        let d = abs(self[i, j] - other[i, j])
        if d.isNaN { return .nan }
        result = max(result, d)
      }
    }
    return result
  }

  /// True when `Mᵀ·M ≈ I` and `det ≈ +1` within `tolerance`.
  public func isRotation(tolerance: Double = 1e-9) -> Bool {
    (transposed * self).maxAbsDifference(.identity) <= tolerance && abs(determinant - 1) <= tolerance
  }

  public var description: String { "Mat3[\(r0), \(r1), \(r2)]" }

  /// Matrix product.
  public static func * (a: Mat3, b: Mat3) -> Mat3 {
    let bt = b.transposed
    return Mat3(
      rows: Vec3(a.r0.dot(bt.r0), a.r0.dot(bt.r1), a.r0.dot(bt.r2)),
      Vec3(a.r1.dot(bt.r0), a.r1.dot(bt.r1), a.r1.dot(bt.r2)),
      Vec3(a.r2.dot(bt.r0), a.r2.dot(bt.r1), a.r2.dot(bt.r2)))
  }

  /// Matrix-vector product.
  public static func * (m: Mat3, v: Vec3) -> Vec3 { Vec3(m.r0.dot(v), m.r1.dot(v), m.r2.dot(v)) }

  /// Scalar product.
  public static func * (s: Double, m: Mat3) -> Mat3 { Mat3(rows: s * m.r0, s * m.r1, s * m.r2) }

  /// Element-wise sum.
  public static func + (a: Mat3, b: Mat3) -> Mat3 { Mat3(rows: a.r0 + b.r0, a.r1 + b.r1, a.r2 + b.r2) }

  /// Element-wise difference.
  public static func - (a: Mat3, b: Mat3) -> Mat3 { Mat3(rows: a.r0 - b.r0, a.r1 - b.r1, a.r2 - b.r2) }

  // MARK: Rotations

  /// Rotation by `angle` radians about `axis` (right-hand rule, Rodrigues' formula). The axis need not be
  /// unit length; a zero or non-finite axis gives the identity.
  public static func rotation(axis: Vec3, angle: Double) -> Mat3 {
    guard let k = axis.normalized else { return .identity }
    let c = cos(angle)
    let s = sin(angle)
    let skew = Mat3(rows: Vec3(0, -k.z, k.y), Vec3(k.z, 0, -k.x), Vec3(-k.y, k.x, 0))
    return c * .identity + s * skew + (1 - c) * outer(k, k)
  }

  /// Rotation about the x axis.
  public static func rotationX(_ angle: Double) -> Mat3 { rotation(axis: Vec3(1, 0, 0), angle: angle) }
  /// Rotation about the y axis.
  public static func rotationY(_ angle: Double) -> Mat3 { rotation(axis: Vec3(0, 1, 0), angle: angle) }
  /// Rotation about the z axis.
  public static func rotationZ(_ angle: Double) -> Mat3 { rotation(axis: Vec3(0, 0, 1), angle: angle) }

  /// Rotation from yaw (about y), pitch (about x) and roll (about z), in radians:
  /// `R = Ry(yaw) · Rx(pitch) · Rz(roll)` (roll applied first). With y as the vertical axis this turns
  /// the body about the vertical (yaw), tilts it forward/back (pitch) and sideways (roll).
  public static func rotation(yaw: Double, pitch: Double, roll: Double) -> Mat3 {
    rotationY(yaw) * rotationX(pitch) * rotationZ(roll)
  }

  /// Axis and angle (0…π) of a rotation matrix; the axis is (0, 0, 1) for the identity.
  public var axisAngle: (axis: Vec3, angle: Double) {
    let cosAngle = min(1, max(-1, (trace - 1) / 2))
    let angle = acos(cosAngle)
    let v = Vec3(r2.y - r1.z, r0.z - r2.x, r1.x - r0.y)
    if let axis = v.normalized, angle < .pi - 1e-6 { return (axis, angle) }
    if angle < 1e-12 { return (Vec3(0, 0, 1), 0) }
    // Near π: the axis is the dominant column of (R + I) / 2 = k kᵀ.
    let b = 0.5 * (self + .identity)
    let columns = [b.column(0), b.column(1), b.column(2)]
    let best = columns.max { $0.squaredNorm < $1.squaredNorm } ?? Vec3(0, 0, 1)
    var axis = best.normalized ?? Vec3(0, 0, 1)
    if v.dot(axis) < 0 { axis = -axis }
    return (axis, angle)
  }
}

/// Rotates points by `rotation` about `centre`: `p' = centre + R · (p − centre)`.
public func rotate(_ points: [Vec3], by rotation: Mat3, about centre: Vec3 = .zero) -> [Vec3] {
  points.map { centre + rotation * ($0 - centre) }
}

/// A pinhole camera in OpenCV convention: x right, y down, z forward (points need z > 0).
public struct PinholeCamera: Sendable, Hashable {
  /// Focal lengths in pixels (fx, fy).
  public var focal: Vec2
  /// Principal point in pixels (cx, cy).
  public var principalPoint: Vec2

  /// Creates a camera from focal lengths and principal point (pixels).
  public init(focal: Vec2, principalPoint: Vec2) {
    self.focal = focal
    self.principalPoint = principalPoint
  }

  /// A camera for a `width`×`height` image with the given horizontal field of view (radians), square
  /// pixels and the principal point at the image centre.
  public init(width: Double, height: Double, horizontalFOV: Double) {
    let f = (width / 2) / tan(horizontalFOV / 2)
    self.init(focal: Vec2(f, f), principalPoint: Vec2(width / 2, height / 2))
  }

  /// Projects a camera-space point: `(fx·x/z + cx, fy·y/z + cy)`; nil when `z ≤ 0` or not finite.
  public func project(_ p: Vec3) -> Vec2? {
    guard p.z > 0, p.z.isFinite else { return nil }
    let uv = focal * Vec2(p.x, p.y) / p.z + principalPoint
    return uv.x.isFinite && uv.y.isFinite ? uv : nil
  }

  /// Back-projects a pixel at depth `z` to camera space.
  public func unproject(_ pixel: Vec2, depth z: Double) -> Vec3 {
    let xy = (pixel - principalPoint) / focal * z
    return Vec3(xy.x, xy.y, z)
  }
}

/// An orthographic (scaled) projection: `(s·x + cx, s·y + cy)`, depth dropped.
public struct OrthographicCamera: Sendable, Hashable {
  /// Pixels per unit of length.
  public var scale: Double
  /// Image position of the origin.
  public var principalPoint: Vec2

  /// Creates an orthographic projection.
  public init(scale: Double, principalPoint: Vec2) {
    self.scale = scale
    self.principalPoint = principalPoint
  }

  /// Projects a point, dropping z.
  public func project(_ p: Vec3) -> Vec2 { scale * Vec2(p.x, p.y) + principalPoint }
}
