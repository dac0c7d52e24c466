// TerminalUI: 3D skeleton drawing (bones, joints, ground grid, axis gizmo) into a dot canvas.

import PoseScope

/// A 3D pose to draw: joints of a skeleton, optional visibilities and per-bone error values.
///
/// Arrays may be shorter or longer than the skeleton or contain non-finite values: whatever cannot be
/// drawn is skipped.
public struct Pose3D: Sendable {
  /// The skeleton (connections, bones, sides).
  public var skeleton: Skeleton
  /// Joint positions (world units, e.g. metres; y down).
  public var joints: [Vec3]
  /// Per-joint visibility 0…1, nil when unknown (all visible).
  public var visibility: [Double]?
  /// Per-bone error (indexed like `skeleton.bones`, any unit), nil to colour by side.
  public var boneErrors: [Double]?

  /// Creates a pose.
  public init(skeleton: Skeleton, joints: [Vec3], visibility: [Double]? = nil, boneErrors: [Double]? = nil) {
    self.skeleton = skeleton
    self.joints = joints
    self.visibility = visibility
    self.boneErrors = boneErrors
  }

  /// Joint `i` when it exists and is finite.
  public func joint(_ i: Int) -> Vec3? {
    guard i >= 0, i < joints.count, i < skeleton.jointCount else { return nil }
    let p = joints[i]
    return p.x.isFinite && p.y.isFinite && p.z.isFinite ? p : nil
  }

  /// True unless joint `i`'s visibility is known and below `threshold` (or NaN).
  public func isVisible(_ i: Int, threshold: Double) -> Bool {
    guard let visibility, i >= 0, i < visibility.count else { return true }
    return visibility[i] >= threshold
  }

  /// The orbit pivot: the `pelvis` joint when the skeleton has one (H36M joint 0), else the midpoint of
  /// `left_hip` and `right_hip` (BlazePose), else the centroid of the finite joints; nil without any.
  public var pivot: Vec3? {
    if let i = skeleton.jointIndex(named: "pelvis"), let p = joint(i) { return p }
    if let l = skeleton.jointIndex(named: "left_hip").flatMap(joint),
      let r = skeleton.jointIndex(named: "right_hip").flatMap(joint)
    {
      return l.midpoint(r)
    }
    var sum = Vec3.zero
    var n = 0
    for i in joints.indices {
      if let p = joint(i) {
        sum += p
        n += 1
      }
    }
    return n > 0 ? sum / Double(n) : nil
  }

  /// Index into `skeleton.bones` of the bone joining the connection's joints, if there is one.
  public func boneIndex(forConnection c: Connection) -> Int? {
    skeleton.bones.firstIndex {
      ($0.parent == c.a && $0.child == c.b) || ($0.parent == c.b && $0.child == c.a)
    }
  }

  /// The bone with the largest finite error (ties: the first), nil without errors.
  public var worstBone: Int? {
    guard let boneErrors else { return nil }
    var best: Int?
    var bestValue = -Double.infinity
    for (i, e) in boneErrors.enumerated() where i < skeleton.bones.count && e.isFinite && e > bestValue {
      best = i
      bestValue = e
    }
    return best
  }
}

/// A 2D pose in image pixel coordinates, for the overlay on the image pane.
public struct Pose2D: Sendable {
  /// The skeleton.
  public var skeleton: Skeleton
  /// Joint positions in pixels of the source image (x right, y down).
  public var points: [Vec2]
  /// Per-joint visibility 0…1, nil when unknown.
  public var visibility: [Double]?

  /// Creates a 2D pose.
  public init(skeleton: Skeleton, points: [Vec2], visibility: [Double]? = nil) {
    self.skeleton = skeleton
    self.points = points
    self.visibility = visibility
  }

  /// Point `i` when it exists and is finite.
  public func point(_ i: Int) -> Vec2? {
    guard i >= 0, i < points.count, i < skeleton.jointCount else { return nil }
    let p = points[i]
    return p.x.isFinite && p.y.isFinite ? p : nil
  }

  /// True unless joint `i`'s visibility is known and below `threshold` (or NaN).
  public func isVisible(_ i: Int, threshold: Double) -> Bool {
    guard let visibility, i >= 0, i < visibility.count else { return true }
    return visibility[i] >= threshold
  }
}

/// Colours and switches for skeleton drawing (3D pane and 2D overlay).
public struct SkeletonStyle: Sendable, Hashable {
  /// Colour of the person's left side.
  public var leftColor: Color = .rgb(0, 170, 255)
  /// Colour of the person's right side.
  public var rightColor: Color = .rgb(255, 120, 0)
  /// Colour of central bones and joints.
  public var centreColor: Color = .rgb(230, 230, 230)
  /// Colour of the ground grid.
  public var gridColor: Color = .rgb(90, 90, 90)
  /// Gizmo colours of the x, y and z axes.
  public var axisColors: [Color] = [.rgb(230, 60, 60), .rgb(60, 200, 60), .rgb(80, 120, 255)]
  /// Draw the ground grid.
  public var showGrid = true
  /// Draw the axis gizmo.
  public var showGizmo = true
  /// Draw joint markers.
  public var showJoints = true
  /// Make farther bones darker.
  public var depthShading = true
  /// Brightness factor of the farthest bone (the nearest has 1).
  public var farBrightness = 0.45
  /// Error value drawn fully red; nil uses the pose's largest error.
  public var errorScale: Double?
  /// Joints with visibility below this are drawn dim (and their bones dotted).
  public var visibilityThreshold = 0.5
  /// Brightness factor of low-visibility joints and bones.
  public var dimFactor = 0.45
  /// Draw the bone with the largest error thick and bold.
  public var highlightWorst = true

  /// The default style.
  public init() {}

  /// The default style.
  public static let standard = SkeletonStyle()

  /// The colour of a body side.
  public func color(for side: BodySide) -> Color {
    switch side {
    case .left: return leftColor
    case .right: return rightColor
    case .centre: return centreColor
    }
  }
}

/// What `SkeletonRenderer.render` computed, for status lines and picking.
public struct SkeletonRenderResult: Sendable {
  /// Index into `skeleton.bones` of the highlighted (largest-error) bone.
  public var worstBone: Int?
  /// Dot position of every joint (nil when not drawable).
  public var projected: [ProjectedPoint?]
  /// The orbit target used.
  public var target: Vec3
  /// The fit radius used.
  public var radius: Double
}

/// Draws 3D skeletons into dot canvases.
public enum SkeletonRenderer {
  /// Draws `pose` seen by `camera` into `canvas` (which is not cleared first): ground grid under the
  /// lowest joint, bones far to near with per-cell depth test, joints, and the axis gizmo in the
  /// bottom-left corner. Bones are coloured by error (green→red) when the pose has errors, else by side.
  @discardableResult
  public static func render<C: DotCanvas>(
    _ pose: Pose3D, camera: Camera3D, style: SkeletonStyle = .standard, into canvas: inout C
  ) -> SkeletonRenderResult {
    let target = camera.target ?? pose.pivot ?? .zero
    var extent = 0.0
    for i in pose.joints.indices {
      if let p = pose.joint(i) { extent = max(extent, p.distance(to: target)) }
    }
    let radius = camera.radius.flatMap { $0.isFinite && $0 > 0 ? $0 : nil } ?? (extent > 1e-9 ? extent : 1)
    let projector = camera.projector(
      width: Double(canvas.dotWidth), height: Double(canvas.dotHeight), dotAspect: canvas.dotAspect,
      target: target, radius: radius)
    let projected: [ProjectedPoint?] = pose.joints.indices.map { i in pose.joint(i).flatMap(projector.project)
    }
    var result = SkeletonRenderResult(worstBone: nil, projected: projected, target: target, radius: radius)
    guard canvas.dotWidth > 0, canvas.dotHeight > 0 else { return result }

    var minDepth = Double.infinity
    var maxDepth = -Double.infinity
    for p in projected {
      if let p {
        minDepth = min(minDepth, p.depth)
        maxDepth = max(maxDepth, p.depth)
      }
    }
    func shade(_ depth: Double) -> Double {
      guard style.depthShading, maxDepth > minDepth else { return 1 }
      let u = min(1, max(0, (depth - minDepth) / (maxDepth - minDepth)))
      return 1 - (1 - style.farBrightness) * u
    }

    if style.showGrid, minDepth.isFinite {
      drawGrid(
        pose, projector: projector, camera: camera, target: target, radius: radius, style: style,
        into: &canvas)
    }

    // Bones, far first.
    let worst = style.highlightWorst ? pose.worstBone : nil
    result.worstBone = worst
    var maxError = 0.0
    for e in pose.boneErrors ?? [] where e.isFinite { maxError = max(maxError, e) }
    let errorScale =
      style.errorScale.flatMap { $0 > 0 && $0.isFinite ? $0 : nil } ?? (maxError > 0 ? maxError : 1)
    var order: [(index: Int, depth: Double)] = []
    order.reserveCapacity(pose.skeleton.connections.count)
    for (i, c) in pose.skeleton.connections.enumerated() {
      guard c.a < projected.count, c.b < projected.count, let pa = projected[c.a], let pb = projected[c.b]
      else {
        continue
      }
      order.append((i, (pa.depth + pb.depth) / 2))
    }
    order.sort { $0.depth > $1.depth || ($0.depth == $1.depth && $0.index < $1.index) }
    for (i, meanDepth) in order {
      let c = pose.skeleton.connections[i]
      guard let pa = projected[c.a], let pb = projected[c.b] else { continue }
      let bone = pose.boneIndex(forConnection: c)
      var color = style.color(for: c.side)
      if let errors = pose.boneErrors, let b = bone, b < errors.count, errors[b].isFinite {
        color = Color.errorRamp(errors[b] / errorScale)
      }
      var attributes: CellAttributes = []
      var pattern = LinePattern.solid
      var factor = shade(meanDepth)
      let visible =
        pose.isVisible(c.a, threshold: style.visibilityThreshold)
        && pose.isVisible(c.b, threshold: style.visibilityThreshold)
      if !visible {
        factor *= style.dimFactor
        pattern = .dotted
        attributes.insert(.dim)
      }
      let isWorst = bone != nil && bone == worst
      if isWorst { attributes = [.bold] }
      color = color.scaled(by: isWorst ? 1 : factor)
      canvas.drawLine(
        from: pa.point, to: pb.point, depthA: pa.depth, depthB: pb.depth, color: color,
        attributes: attributes,
        pattern: pattern)
      if isWorst {
        let d = pb.point - pa.point
        let offset = abs(d.x) >= abs(d.y) ? Vec2(0, 1) : Vec2(1, 0)
        canvas.drawLine(
          from: pa.point + offset, to: pb.point + offset, depthA: pa.depth, depthB: pb.depth, color: color,
          attributes: attributes, pattern: pattern)
      }
    }

    if style.showJoints {
      for (i, p) in projected.enumerated() {
        guard let p else { continue }
        var factor = shade(p.depth)
        var attributes: CellAttributes = []
        if !pose.isVisible(i, threshold: style.visibilityThreshold) {
          factor *= style.dimFactor
          attributes.insert(.dim)
        }
        let side = i < pose.skeleton.jointSides.count ? pose.skeleton.jointSides[i] : .centre
        canvas.drawJoint(
          at: p.point, depth: p.depth, color: style.color(for: side).scaled(by: factor),
          attributes: attributes)
      }
    }

    if style.showGizmo { drawGizmo(projector: projector, style: style, into: &canvas) }
    return result
  }

  /// Draws `pose` into the cells `rect` of `grid` using a braille canvas (`.unicode`) or an ASCII one.
  @discardableResult
  public static func render(
    _ pose: Pose3D, camera: Camera3D, style: SkeletonStyle = .standard, glyphs: GlyphSet,
    into grid: inout CellGrid, rect: Rect
  ) -> SkeletonRenderResult {
    switch glyphs {
    case .unicode:
      var canvas = BrailleCanvas(width: rect.width, height: rect.height)
      let r = render(pose, camera: camera, style: style, into: &canvas)
      canvas.render(into: &grid, x: rect.x, y: rect.y)
      return r
    case .ascii:
      var canvas = AsciiCanvas(width: rect.width, height: rect.height)
      let r = render(pose, camera: camera, style: style, into: &canvas)
      canvas.render(into: &grid, x: rect.x, y: rect.y)
      return r
    }
  }

  /// A dotted square grid on the floor plane (through the lowest joint, perpendicular to `worldUp`),
  /// centred under the target, 6 × 6 squares of `radius / 3`.
  static func drawGrid<C: DotCanvas>(
    _ pose: Pose3D, projector: Projector, camera: Camera3D, target: Vec3, radius: Double,
    style: SkeletonStyle,
    into canvas: inout C
  ) {
    let align = camera.upAlignment
    let back = align.transposed
    var floor = -Double.infinity
    for i in pose.joints.indices {
      if let p = pose.joint(i) { floor = max(floor, (align * p).y) }
    }
    guard floor.isFinite else { return }
    let centre = align * target
    let step = radius / 3
    let half = 3
    let segments = 6
    for k in -half...half {
      for axis in 0..<2 {
        let offset = Double(k) * step
        for s in 0..<segments {
          let u0 = -Double(half) * step + 2 * Double(half) * step * Double(s) / Double(segments)
          let u1 = -Double(half) * step + 2 * Double(half) * step * Double(s + 1) / Double(segments)
          let a: Vec3
          let b: Vec3
          if axis == 0 {
            a = Vec3(centre.x + u0, floor, centre.z + offset)
            b = Vec3(centre.x + u1, floor, centre.z + offset)
          } else {
            a = Vec3(centre.x + offset, floor, centre.z + u0)
            b = Vec3(centre.x + offset, floor, centre.z + u1)
          }
          guard let pa = projector.project(back * a), let pb = projector.project(back * b) else { continue }
          canvas.drawLine(
            from: pa.point, to: pb.point, depthA: pa.depth, depthB: pb.depth, color: style.gridColor,
            attributes: [], pattern: .dotted)
        }
      }
    }
  }

  /// The x/y/z axes of the world as short labelled arrows in the bottom-left corner, over everything.
  static func drawGizmo<C: DotCanvas>(projector: Projector, style: SkeletonStyle, into canvas: inout C) {
    let aspect = canvas.dotAspect
    let size = min(Double(canvas.dotWidth), Double(canvas.dotHeight) * aspect)
    guard size >= 16 else { return }
    let length = min(14, max(4, size / 8))
    let origin = Vec2(length + 3, Double(canvas.dotHeight) - 1 - (length + 3) / aspect)
    let axes: [(Vec3, String)] = [(Vec3(1, 0, 0), "x"), (Vec3(0, 1, 0), "y"), (Vec3(0, 0, 1), "z")]
    let directions = axes.map { projector.screenDirection($0.0, length: length) }
    let order = [0, 1, 2].sorted { directions[$0].depth > directions[$1].depth }
    for i in order {
      let color = i < style.axisColors.count ? style.axisColors[i] : style.centreColor
      let tip = origin + directions[i].delta
      canvas.drawLine(
        from: origin, to: tip, depthA: -.infinity, depthB: -.infinity, color: color, attributes: [.bold],
        pattern: .solid)
    }
    for i in order {
      let color = i < style.axisColors.count ? style.axisColors[i] : style.centreColor
      let d = directions[i].delta
      let n = (d.x * d.x + d.y * d.y * aspect * aspect).squareRoot()
      // Past the tip; an axis seen end-on gets its label up and left of the origin instead.
      let push = n > length / 3 ? d / n * 3 : Vec2(-3, -3 / aspect) - d
      canvas.drawLabel(axes[i].1, at: origin + d + Vec2(push.x, push.y), color: color, attributes: [.bold])
    }
  }
}
