// TerminalUI: the orbit camera of the skeleton pane (yaw/pitch/zoom, orthographic or perspective).

import Foundation
import PoseScope

/// An orbit camera looking at a target point, for the 3D skeleton pane.
///
/// World convention: BlazePose/H36M camera-aligned coordinates, x right, y down, z away from the
/// original camera, so "up" is −y (`worldUp`). The view rotation is `Rx(pitch) · Ry(yaw) · A`, where `A`
/// turns `worldUp` onto −y; camera space is then x right, y down (screen), z into the screen (depth). With
/// yaw = pitch = 0 (the `front` preset) the view matches the original camera's; positive pitch raises the
/// camera to look down; `top` looks straight down (pitch +90°).
public struct Camera3D: Sendable, Hashable {
  /// Orthographic (parallel) or perspective projection.
  public enum Projection: String, CaseIterable, Sendable {
    /// Parallel projection: size does not change with depth.
    case orthographic
    /// Pinhole projection from `distance` radii in front of the target.
    case perspective

    /// The other projection.
    public var toggled: Projection { self == .orthographic ? .perspective : .orthographic }
  }

  /// Standard views.
  public enum Preset: String, CaseIterable, Sendable {
    /// From the original camera.
    case front
    /// From the side (yaw 90°).
    case side
    /// From above (pitch 90°).
    case top
    /// From behind (yaw 180°).
    case back

    /// Yaw of the preset in radians.
    public var yaw: Double {
      switch self {
      case .front, .top: return 0
      case .side: return .pi / 2
      case .back: return .pi
      }
    }

    /// Pitch of the preset in radians.
    public var pitch: Double { self == .top ? .pi / 2 : 0 }
  }

  /// Rotation about the vertical axis, radians, wrapped to (−π, π].
  public var yaw: Double
  /// Elevation, radians, clamped to [−π/2, π/2].
  public var pitch: Double
  /// Magnification; 1 fits a sphere of `radius` around the target into the view. Clamped to 0.05…50.
  public var zoom: Double
  /// Orthographic or perspective.
  public var projection: Projection
  /// The point orbited and centred; nil uses the pose's pivot (pelvis or mid-hips).
  public var target: Vec3?
  /// World radius that fits the view at zoom 1; nil uses the pose's extent around the target.
  public var radius: Double?
  /// Perspective only: distance of the eye from the target, in radii (at least 1.5).
  public var distance: Double
  /// The world's up direction (−y for BlazePose/H36M camera-aligned coordinates).
  public var worldUp: Vec3

  /// Creates a camera.
  public init(
    yaw: Double = 0, pitch: Double = 0, zoom: Double = 1, projection: Projection = .orthographic,
    target: Vec3? = nil, radius: Double? = nil, distance: Double = 4, worldUp: Vec3 = Vec3(0, -1, 0)
  ) {
    self.yaw = Self.wrap(yaw)
    self.pitch = Self.clampPitch(pitch)
    self.zoom = Self.clampZoom(zoom)
    self.projection = projection
    self.target = target
    self.radius = radius
    self.distance = distance.isFinite ? max(1.5, distance) : 4
    self.worldUp = worldUp
  }

  /// A camera at a preset view.
  public init(preset: Preset, projection: Projection = .orthographic) {
    self.init(yaw: preset.yaw, pitch: preset.pitch, projection: projection)
  }

  /// Moves to a preset view (keeps zoom, projection and target).
  public mutating func apply(_ preset: Preset) {
    yaw = preset.yaw
    pitch = preset.pitch
  }

  /// The preset whose yaw and pitch the camera has, if any.
  public var preset: Preset? {
    Preset.allCases.first { abs(Self.wrap($0.yaw - yaw)) < 1e-9 && abs($0.pitch - pitch) < 1e-9 }
  }

  /// Turns the camera by the given angles (radians); pitch stops at ±90°.
  public mutating func orbit(yaw dYaw: Double, pitch dPitch: Double) {
    yaw = Self.wrap(yaw + dYaw)
    pitch = Self.clampPitch(pitch + dPitch)
  }

  /// Multiplies the zoom by `factor` (clamped to 0.05…50).
  public mutating func zoom(by factor: Double) { zoom = Self.clampZoom(zoom * factor) }

  /// World → camera rotation (`Rx(pitch) · Ry(yaw) · A`).
  public var viewRotation: Mat3 { Mat3.rotationX(pitch) * Mat3.rotationY(yaw) * upAlignment }

  /// The rotation `A` taking `worldUp` to −y (identity for the default up).
  public var upAlignment: Mat3 {
    let down = Vec3(0, -1, 0)
    guard let up = worldUp.normalized else { return .identity }
    let c = min(1, max(-1, up.dot(down)))
    if c > 1 - 1e-12 { return .identity }
    if c < -1 + 1e-12 { return .rotationX(.pi) }
    return .rotation(axis: up.cross(down), angle: acos(c))
  }

  /// One line for pane titles, e.g. `front ortho ×1.0` or `yaw 30° pitch 15° persp ×2.0`
  /// (`yaw 30 pitch 15 persp x2.0` with ASCII glyphs).
  public func summary(glyphs: GlyphSet = .unicode) -> String {
    let degree = glyphs == .unicode ? "°" : ""
    let times = glyphs == .unicode ? "×" : "x"
    let view =
      preset?.rawValue
      ?? "yaw \(Int((yaw * 180 / .pi).rounded()))\(degree) pitch \(Int((pitch * 180 / .pi).rounded()))\(degree)"
    let proj = projection == .orthographic ? "ortho" : "persp"
    return "\(view) \(proj) \(times)\(NumberFormat.fixed(zoom, decimals: 1))"
  }

  /// A projector for a view of `width` × `height` dots whose dots are `dotAspect` times taller than wide.
  public func projector(width: Double, height: Double, dotAspect: Double, target t: Vec3, radius r: Double)
    -> Projector
  {
    let aspect = dotAspect.isFinite && dotAspect > 0 ? dotAspect : 1
    let rad = r.isFinite && r > 0 ? r : 1
    let w = width.isFinite ? max(0, width) : 0
    let h = height.isFinite ? max(0, height) : 0
    let scale = zoom * 0.95 * 0.5 * min(w, h * aspect) / rad
    return Projector(
      rotation: viewRotation, target: t.x.isFinite && t.y.isFinite && t.z.isFinite ? t : .zero,
      scale: scale, centre: Vec2(w / 2, h / 2), dotAspect: aspect, projection: projection,
      eyeDistance: distance * rad)
  }

  static func wrap(_ angle: Double) -> Double {
    guard angle.isFinite else { return 0 }
    var a = angle.truncatingRemainder(dividingBy: 2 * .pi)
    if a <= -.pi { a += 2 * .pi }
    if a > .pi { a -= 2 * .pi }
    return a
  }

  static func clampPitch(_ p: Double) -> Double { p.isFinite ? min(.pi / 2, max(-.pi / 2, p)) : 0 }
  static func clampZoom(_ z: Double) -> Double { z.isFinite ? min(50, max(0.05, z)) : 1 }
}

/// A point projected to dot coordinates, with its depth (larger is farther).
public struct ProjectedPoint: Hashable, Sendable {
  /// Dot column (continuous).
  public var x: Double
  /// Dot row (continuous, down).
  public var y: Double
  /// Depth along the view direction (camera-space z; for perspective, distance from the eye plane).
  public var depth: Double

  /// The position as a vector.
  public var point: Vec2 { Vec2(x, y) }
}

/// A camera fixed to one view size: projects world points to dot coordinates.
public struct Projector: Sendable {
  /// World → camera rotation.
  public let rotation: Mat3
  /// World point at the centre of the view.
  public let target: Vec3
  /// Dots per world unit horizontally (vertically divided by `dotAspect`).
  public let scale: Double
  /// Dot position of the target.
  public let centre: Vec2
  /// Height / width of a dot.
  public let dotAspect: Double
  /// Orthographic or perspective.
  public let projection: Camera3D.Projection
  /// Perspective: distance from the eye to the target (world units).
  public let eyeDistance: Double

  /// Camera-space coordinates of a world point (relative to the target, rotated).
  public func cameraSpace(_ p: Vec3) -> Vec3 { rotation * (p - target) }

  /// The dot position and depth of a world point; nil when it is not finite or (perspective) not in front
  /// of the eye.
  public func project(_ p: Vec3) -> ProjectedPoint? {
    let c = cameraSpace(p)
    guard c.x.isFinite, c.y.isFinite, c.z.isFinite else { return nil }
    var sx = c.x
    var sy = c.y
    var depth = c.z
    if projection == .perspective {
      let z = c.z + eyeDistance
      guard z > 0.05 * eyeDistance else { return nil }
      let f = eyeDistance / z
      sx *= f
      sy *= f
      depth = z
    }
    let x = centre.x + sx * scale
    let y = centre.y + sy * scale / dotAspect
    guard x.isFinite, y.isFinite else { return nil }
    return ProjectedPoint(x: x, y: y, depth: depth)
  }

  /// On-screen direction of a world vector (rotation only, in dots per unit of `length` dots,
  /// y already divided by the dot aspect), and its camera-space depth component.
  public func screenDirection(_ v: Vec3, length: Double) -> (delta: Vec2, depth: Double) {
    let c = rotation * v
    return (Vec2(c.x * length, c.y * length / dotAspect), c.z)
  }
}
