// PoseFormats: writes H36M-17 joint sequences as BVH motion capture (hierarchy, rest offsets, per-frame
// rotations solved from bone directions, ZXY Euler angles).

import Foundation
import PoseCore

extension BVHUnit {
  /// Decimals written for lengths in this unit: a resolution of 1 µm (cm: 4, m: 6, mm: 3).
  var decimals: Int { max(0, Int((log10(metresPerUnit) + 6).rounded(.up))) }
}

/// Writes a sequence of H36M-17 poses as BVH text.
///
/// **Hierarchy** (CMU-style names; `←` the H36M-17 joint each BVH joint sits on):
///
///     Hips ← pelvis (ROOT, 6 channels)
///       RHipJoint ← pelvis (zero offset) → RightUpLeg ← right_hip → RightLeg ← right_knee
///         → RightFoot ← right_ankle → End Site (zero offset)
///       LHipJoint ← pelvis (zero offset) → LeftUpLeg ← left_hip → LeftLeg ← left_knee
///         → LeftFoot ← left_ankle → End Site (zero offset)
///       LowerBack ← pelvis (zero offset) → Spine ← spine → Spine1 ← thorax
///         Neck ← thorax (zero offset) → Head ← neck_nose → End Site ← head_top
///         LeftShoulder ← thorax (zero offset) → LeftArm ← left_shoulder → LeftForeArm ← left_elbow
///           → LeftHand ← left_wrist → End Site (zero offset)
///         RightShoulder ← thorax (zero offset) → RightArm ← right_shoulder → RightForeArm ← right_elbow
///           → RightHand ← right_wrist → End Site (zero offset)
///
/// The zero-offset joints (RHipJoint, LHipJoint, LowerBack, Neck, LeftShoulder, RightShoulder) give each
/// bone leaving the pelvis and the thorax its own rotation, so every joint is reproduced exactly, not only
/// in a best-fit sense. H36M-17 has no toes, fingers or head end beyond head_top: RightFoot, LeftFoot,
/// LeftHand and RightHand always have zero rotation and a zero-offset End Site.
///
/// **Channels**: the root has `Xposition Yposition Zposition Zrotation Xrotation Yrotation`, every other
/// joint `Zrotation Xrotation Yrotation`; angles in degrees, composed in listed order, `R = Rz · Rx · Ry`
/// (so `Ry` acts first on a child's offset), a joint's world rotation being its parent's times its own.
///
/// **Coordinates**: BVH space is Y up. PoseScope's camera-frame joints (x right, y down, z away from the
/// camera) are turned by 180° about x: `(x, y, z) ↦ (x, −y, −z)`, a proper rotation, so a person facing the
/// camera faces +Z with their left side at +X. Lengths are written in a `BVHUnit` (cm by default).
///
/// **Rest pose** (all rotations zero): a T-pose, Y up, facing +Z. Each OFFSET is its bone's length times the
/// bone's rest direction (`restDirections`): legs −Y, spine, neck and head +Y, left pelvis, clavicle and arm
/// +X, right ones −X.
///
/// **Rotations** from each frame's bone directions (bone lengths are not used; a frame whose bone lengths
/// equal `lengths` is reproduced exactly):
/// - Hips and Spine1 (several child bones): the best-fit rotation (Kabsch, by SVD) taking the rest
///   directions of their child bones (both pelvis halves and the lower spine; the neck and both clavicles)
///   to the frame's directions. Their zero-offset children then correct each bone exactly.
/// - Every one-bone joint: the minimal rotation, in its parent's frame, taking the bone's rest direction to
///   its direction in the frame ("no twist relative to the parent"). At exactly 180° the axis is the
///   rest direction crossed with the basis axis least aligned with it. A zero-length bone gets no rotation.
public enum BVHWriter {
  /// One BVH joint of the hierarchy.
  public struct Joint: Sendable, Equatable {
    /// The BVH joint name.
    public let name: String
    /// The parent joint's index in `BVHWriter.joints` (nil for the root).
    public let parent: Int?
    /// The H36M-17 joint it sits on.
    public let h36mJoint: Int
    /// The H36M-17 bone (index into `H36M17.bones`) whose rest vector is this joint's OFFSET; nil for a
    /// zero offset.
    public let offsetBone: Int?
    /// The H36M-17 bones this joint's rotation points (a bone whose child joint is this joint's child,
    /// or its End Site).
    public let drivenBones: [Int]
    /// The End Site's bone (its OFFSET is this bone's rest vector), nil for a zero-offset End Site; only
    /// meaningful when `hasEndSite`.
    public let endSiteBone: Int?
    /// Whether the joint ends in an End Site.
    public let hasEndSite: Bool
  }

  /// The hierarchy in file order (parents first).
  public static let joints: [Joint] = {
    typealias B = H36M17.BoneID
    typealias J = H36M17
    func j(
      _ name: String, _ parent: Int?, _ joint: J, _ offset: B?, _ driven: [B], endSite: Bool = false,
      endSiteBone: B? = nil
    ) -> Joint {
      Joint(
        name: name, parent: parent, h36mJoint: joint.rawValue, offsetBone: offset?.rawValue,
        drivenBones: driven.map(\.rawValue), endSiteBone: endSiteBone?.rawValue, hasEndSite: endSite)
    }
    return [
      j("Hips", nil, .pelvis, nil, [.rightPelvis, .leftPelvis, .spineLower]),  // 0
      j("RHipJoint", 0, .pelvis, nil, [.rightPelvis]),  // 1
      j("RightUpLeg", 1, .rightHip, .rightPelvis, [.rightUpperLeg]),  // 2
      j("RightLeg", 2, .rightKnee, .rightUpperLeg, [.rightLowerLeg]),  // 3
      j("RightFoot", 3, .rightAnkle, .rightLowerLeg, [], endSite: true),  // 4
      j("LHipJoint", 0, .pelvis, nil, [.leftPelvis]),  // 5
      j("LeftUpLeg", 5, .leftHip, .leftPelvis, [.leftUpperLeg]),  // 6
      j("LeftLeg", 6, .leftKnee, .leftUpperLeg, [.leftLowerLeg]),  // 7
      j("LeftFoot", 7, .leftAnkle, .leftLowerLeg, [], endSite: true),  // 8
      j("LowerBack", 0, .pelvis, nil, [.spineLower]),  // 9
      j("Spine", 9, .spine, .spineLower, [.spineUpper]),  // 10
      j("Spine1", 10, .thorax, .spineUpper, [.neck, .leftClavicle, .rightClavicle]),  // 11
      j("Neck", 11, .thorax, nil, [.neck]),  // 12
      j("Head", 12, .neckNose, .neck, [.head], endSite: true, endSiteBone: .head),  // 13
      j("LeftShoulder", 11, .thorax, nil, [.leftClavicle]),  // 14
      j("LeftArm", 14, .leftShoulder, .leftClavicle, [.leftUpperArm]),  // 15
      j("LeftForeArm", 15, .leftElbow, .leftUpperArm, [.leftForearm]),  // 16
      j("LeftHand", 16, .leftWrist, .leftForearm, [], endSite: true),  // 17
      j("RightShoulder", 11, .thorax, nil, [.rightClavicle]),  // 18
      j("RightArm", 18, .rightShoulder, .rightClavicle, [.rightUpperArm]),  // 19
      j("RightForeArm", 19, .rightElbow, .rightUpperArm, [.rightForearm]),  // 20
      j("RightHand", 20, .rightWrist, .rightForearm, [], endSite: true),  // 21
    ]
  }()

  /// For each H36M-17 joint, the BVH node that reproduces it: a joint name, or `Head/End Site` for
  /// head_top (the node naming of PoseTraining's BVH reader).
  public static let h36mNodeNames: [String] = {
    var names = [String](repeating: "", count: H36M17.count)
    // The last joint sitting on an H36M joint is the one with its offset (zero-offset joints come first).
    for joint in joints where joint.offsetBone != nil || joint.parent == nil {
      names[joint.h36mJoint] = joint.name
    }
    names[H36M17.headTop.rawValue] = "Head/End Site"
    return names
  }()

  /// Number of motion channels per frame: 6 for the root, 3 for every other joint.
  public static var channelCount: Int { 6 + 3 * (joints.count - 1) }

  /// Rest direction of each H36M-17 bone (`H36M17.bones` order), BVH space (Y up, facing +Z, left +X).
  public static let restDirections: [Vec3] = {
    let left = Vec3(1, 0, 0)
    let right = Vec3(-1, 0, 0)
    let down = Vec3(0, -1, 0)
    let up = Vec3(0, 1, 0)
    return [
      right, down, down,  // right pelvis, upper leg, lower leg
      left, down, down,  // left pelvis, upper leg, lower leg
      up, up, up, up,  // spine lower, spine upper, neck, head
      left, left, left,  // left clavicle, upper arm, forearm
      right, right, right,  // right clavicle, upper arm, forearm
    ]
  }()

  /// PoseScope's camera frame (x right, y down, z away) to BVH space (Y up): `(x, −y, −z)`. Its own inverse.
  @inlinable public static func toBVHSpace(_ p: Vec3) -> Vec3 { Vec3(p.x, -p.y, -p.z) }

  /// The rest pose (all rotations zero) of bones of `lengths` (metres), H36M-17 joints in BVH space,
  /// pelvis at the origin.
  ///
  /// - Throws: `PoseCoreError` for a wrong count or a negative or non-finite length.
  public static func restPose(lengths: [Double]) throws -> [Vec3] {
    try checkLengths(lengths)
    var out = [Vec3](repeating: .zero, count: H36M17.count)
    for (k, bone) in H36M17.bones.enumerated() {
      out[bone.child] = out[bone.parent] + lengths[k] * restDirections[k]
    }
    return out
  }

  /// One frame's motion: the root position and every joint's local rotation.
  public struct Frame: Sendable, Equatable {
    /// The pelvis position in BVH space, metres.
    public var rootPosition: Vec3
    /// Local rotation of every joint of `BVHWriter.joints` (relative to its parent's frame).
    public var localRotations: [Mat3]
  }

  /// Solves the joint rotations of one pose (PoseScope camera frame, any unit; see the type's notes).
  ///
  /// - Throws: `PoseCoreError.countMismatch` for other than 17 joints, `.invalidValue` for a non-finite
  ///   coordinate.
  public static func solve(_ joints: [Vec3]) throws -> Frame {
    guard joints.count == H36M17.count else {
      throw PoseCoreError.countMismatch(what: "H36M-17 joints", expected: H36M17.count, actual: joints.count)
    }
    guard joints.allSatisfy({ $0.x.isFinite && $0.y.isFinite && $0.z.isFinite }) else {
      throw PoseCoreError.invalidValue(what: "a joint coordinate is not finite")
    }
    let p = joints.map(toBVHSpace)
    let directions: [Vec3?] = H36M17.bones.map { (p[$0.child] - p[$0.parent]).normalized }
    var world = [Mat3](repeating: .identity, count: self.joints.count)
    var local = [Mat3](repeating: .identity, count: self.joints.count)
    for (i, joint) in self.joints.enumerated() {
      let parentWorld = joint.parent.map { world[$0] } ?? .identity
      var w = parentWorld
      let driven = joint.drivenBones.compactMap { k in directions[k].map { (rest: restDirections[k], to: $0) }
      }
      if joint.drivenBones.count > 1 {
        if !driven.isEmpty { w = kabsch(driven) }
      } else if let d = driven.first {
        w = parentWorld * minimalRotation(from: d.rest, to: parentWorld.transposed * d.to)
      }
      world[i] = w
      local[i] = parentWorld.transposed * w
    }
    return Frame(rootPosition: p[H36M17.pelvis.rawValue], localRotations: local)
  }

  /// The proper rotation `R` minimising `Σ |R·rest − to|²` (Kabsch): `U · diag(1, 1, det(U Vᵀ)) · Vᵀ` of
  /// the SVD of `Σ to · restᵀ`.
  static func kabsch(_ pairs: [(rest: Vec3, to: Vec3)]) -> Mat3 {
    var h = Mat3.zero
    for pair in pairs { h = h + Mat3.outer(pair.to, pair.rest) }
    let svd = SVD3(h)
    var d = Vec3(1, 1, 1)
    if svd.u.determinant * svd.v.determinant < 0 { d.z = -1 }
    let r = svd.u * Mat3(diagonal: d) * svd.v.transposed
    return r.isRotation(tolerance: 1e-6) ? r : .identity
  }

  /// The rotation by the smallest angle taking unit vector `a` to unit vector `b`; at 180° the axis is
  /// `a × e` with `e` the basis axis least aligned with `a`.
  public static func minimalRotation(from a: Vec3, to b: Vec3) -> Mat3 {
    guard let a = a.normalized, let b = b.normalized else { return .identity }
    let axis = a.cross(b)
    let s = axis.norm
    let c = max(-1, min(1, a.dot(b)))
    if s < 1e-12 {
      if c > 0 { return .identity }
      let e =
        abs(a.x) <= abs(a.y) && abs(a.x) <= abs(a.z)
        ? Vec3(1, 0, 0) : (abs(a.y) <= abs(a.z) ? Vec3(0, 1, 0) : Vec3(0, 0, 1))
      return Mat3.rotation(axis: a.cross(e), angle: .pi)
    }
    return Mat3.rotation(axis: axis, angle: atan2(s, c))
  }

  /// ZXY Euler angles in degrees, `(z, x, y)` with `R = Rz(z) · Rx(x) · Ry(y)`, x in [−90°, 90°].
  ///
  /// x comes from `R[2,1] = sin x`, z from the second column, and y from what is left,
  /// `Rx(x)ᵀ · Rz(z)ᵀ · R = Ry(y)`, so the angles reproduce `R` to rounding even near gimbal lock. In gimbal
  /// lock (x = ±90°, where only z ± y is defined) z takes the whole turn about the vertical and y is 0.
  /// Never NaN for a finite matrix.
  public static func eulerZXY(_ r: Mat3) -> Vec3 {
    // R = [[cz·cy − sz·sx·sy, −sz·cx, cz·sy + sz·sx·cy],
    //      [sz·cy + cz·sx·sy,  cz·cx, sz·sy − cz·sx·cy],
    //      [−cx·sy,            sx,    cx·cy]]
    let cx = (r[0, 1] * r[0, 1] + r[1, 1] * r[1, 1]).squareRoot()
    var x = atan2(r[2, 1], cx)
    var z = cx > 1e-12 ? atan2(-r[0, 1], r[1, 1]) : atan2(r[1, 0], r[0, 0])
    if !x.isFinite { x = 0 }
    if !z.isFinite { z = 0 }
    let rest = (Mat3.rotationZ(z) * Mat3.rotationX(x)).transposed * r
    var y = atan2(rest[0, 2], rest[0, 0])
    if !y.isFinite { y = 0 }
    let degrees = 180 / Double.pi
    return Vec3(z * degrees, x * degrees, y * degrees)
  }

  /// The rotation `Rz(z) · Rx(x) · Ry(y)` of ZXY Euler angles `(z, x, y)` in degrees.
  public static func rotationZXY(_ angles: Vec3) -> Mat3 {
    let k = Double.pi / 180
    return Mat3.rotationZ(angles.x * k) * Mat3.rotationX(angles.y * k) * Mat3.rotationY(angles.z * k)
  }

  /// BVH text of `frames` (PoseScope camera frame, metres; nil: no person) with bones of `lengths` (metres,
  /// `H36M17.bones` order) and `frameTime` seconds per frame.
  ///
  /// A nil frame holds the previous frame's pose (the rest pose, at the origin, before the first pose).
  /// Positions are reproduced exactly (to the 1 µm of the number format) when each frame's bone lengths
  /// equal `lengths`; otherwise only the bone directions are kept (project onto `lengths` first, e.g. with
  /// `BoneLengthProjection.project`).
  ///
  /// - Throws: `PoseCoreError` for no frames, a pose without 17 joints, a non-finite coordinate, lengths
  ///   that are not 16 finite values ≥ 0, or a frame time that is not positive and finite.
  public static func write(
    frames: [[Vec3]?], lengths: [Double], frameTime: Double, unit: BVHUnit = .centimetre
  ) throws -> String {
    try checkLengths(lengths)
    guard !frames.isEmpty else { throw PoseCoreError.empty(what: "BVH frames") }
    guard frameTime.isFinite, frameTime > 0 else {
      throw PoseCoreError.invalidValue(what: "BVH frame time \(frameTime) s must be positive and finite")
    }
    let scale = 1 / unit.metresPerUnit
    var out = "HIERARCHY\n"
    var children = [[Int]](repeating: [], count: joints.count)
    for (i, joint) in joints.enumerated() { if let p = joint.parent { children[p].append(i) } }
    func length(_ v: Double) -> String { format(v * scale, decimals: unit.decimals) }
    func offset(_ bone: Int?) -> String {
      let v = bone.map { lengths[$0] * restDirections[$0] } ?? .zero
      return "OFFSET \(length(v.x)) \(length(v.y)) \(length(v.z))"
    }
    func emit(_ i: Int, depth: Int) {
      let pad = String(repeating: "  ", count: depth)
      let joint = joints[i]
      out += pad + (joint.parent == nil ? "ROOT " : "JOINT ") + joint.name + "\n" + pad + "{\n"
      out += pad + "  " + offset(joint.offsetBone) + "\n"
      out +=
        pad + "  CHANNELS "
        + (joint.parent == nil
          ? "6 Xposition Yposition Zposition Zrotation Xrotation Yrotation"
          : "3 Zrotation Xrotation Yrotation")
        + "\n"
      for c in children[i] { emit(c, depth: depth + 1) }
      if joint.hasEndSite {
        out += pad + "  End Site\n" + pad + "  {\n"
        out += pad + "    " + offset(joint.endSiteBone) + "\n" + pad + "  }\n"
      }
      out += pad + "}\n"
    }
    emit(0, depth: 0)
    out += "MOTION\nFrames: \(frames.count)\nFrame Time: \(String(format: "%.8g", frameTime))\n"
    var previous: [Vec3]? = nil
    for pose in frames {
      let current = pose ?? previous
      let frame: Frame
      if let current {
        frame = try solve(current)
      } else {
        frame = Frame(rootPosition: .zero, localRotations: [Mat3](repeating: .identity, count: joints.count))
      }
      previous = current
      var values: [String] = []
      values.reserveCapacity(channelCount)
      let root = frame.rootPosition
      values += [length(root.x), length(root.y), length(root.z)]
      for r in frame.localRotations {
        let e = eulerZXY(r)
        values += [format(e.x, decimals: 5), format(e.y, decimals: 5), format(e.z, decimals: 5)]
      }
      out += values.joined(separator: " ") + "\n"
    }
    return out
  }

  static func checkLengths(_ lengths: [Double]) throws {
    guard lengths.count == H36M17.bones.count else {
      throw PoseCoreError.countMismatch(
        what: "H36M-17 bone lengths", expected: H36M17.bones.count, actual: lengths.count)
    }
    guard lengths.allSatisfy({ $0.isFinite && $0 >= 0 }) else {
      throw PoseCoreError.invalidValue(what: "bone lengths must be finite and ≥ 0")
    }
  }

  /// `v` with `decimals` decimals, trailing zeros (and a trailing point) dropped, no negative zero.
  static func format(_ v: Double, decimals: Int) -> String {
    var s = String(format: "%.\(decimals)f", v)
    if s.contains(".") {
      while s.hasSuffix("0") { s.removeLast() }
      if s.hasSuffix(".") { s.removeLast() }
    }
    if s == "-0" { s = "0" }
    return s
  }
}
