// PoseCore: the Human3.6M 17-joint skeleton (joints, parent tree, 16 named bones, left/right pairs).

/// The Human3.6M 17-joint skeleton used by most 2D→3D lifting work (VideoPose3D, MotionBERT, …).
///
/// Joint order: 0 pelvis, 1 right_hip, 2 right_knee, 3 right_ankle, 4 left_hip, 5 left_knee, 6 left_ankle,
/// 7 spine, 8 thorax, 9 neck_nose, 10 head_top, 11 left_shoulder, 12 left_elbow, 13 left_wrist,
/// 14 right_shoulder, 15 right_elbow, 16 right_wrist. The pelvis is the root.
public enum H36M17: Int, CaseIterable, Sendable {
  case pelvis = 0
  case rightHip, rightKnee, rightAnkle
  case leftHip, leftKnee, leftAnkle
  case spine, thorax, neckNose, headTop
  case leftShoulder, leftElbow, leftWrist
  case rightShoulder, rightElbow, rightWrist

  /// Number of joints (17).
  public static let count = 17

  /// Joint names in index order.
  public static let names: [String] = [
    "pelvis", "right_hip", "right_knee", "right_ankle", "left_hip", "left_knee", "left_ankle", "spine",
    "thorax", "neck_nose", "head_top", "left_shoulder", "left_elbow", "left_wrist", "right_shoulder",
    "right_elbow", "right_wrist",
  ]

  /// Parent of each joint (nil for the pelvis root).
  public static let parents: [Int?] = [nil, 0, 1, 2, 0, 4, 5, 0, 7, 8, 9, 8, 11, 12, 8, 14, 15]

  /// The joint's name (`right_hip`, …).
  public var name: String { Self.names[rawValue] }

  /// The parent joint (nil for the pelvis).
  public var parent: H36M17? { Self.parents[rawValue].flatMap { H36M17(rawValue: $0) } }

  /// Body side of the joint.
  public var side: BodySide {
    if name.hasPrefix("left_") { return .left }
    if name.hasPrefix("right_") { return .right }
    return .centre
  }

  /// Side of each joint in index order.
  public static let sides: [BodySide] = allCases.map(\.side)

  /// The 16 bones; bone `i` has child joint `i + 1`.
  public enum BoneID: Int, CaseIterable, Sendable {
    case rightPelvis = 0
    case rightUpperLeg, rightLowerLeg
    case leftPelvis, leftUpperLeg, leftLowerLeg
    case spineLower, spineUpper, neck, head
    case leftClavicle, leftUpperArm, leftForearm
    case rightClavicle, rightUpperArm, rightForearm

    /// The bone's name (`right_upper_leg`, …).
    public var name: String { H36M17.boneNames[rawValue] }
    /// Distal joint.
    public var child: H36M17 { H36M17(rawValue: rawValue + 1) ?? .pelvis }
    /// Proximal joint.
    public var parent: H36M17 { child.parent ?? .pelvis }
  }

  /// Bone names in bone order (bone `i` ends at joint `i + 1`).
  public static let boneNames: [String] = [
    "right_pelvis", "right_upper_leg", "right_lower_leg", "left_pelvis", "left_upper_leg", "left_lower_leg",
    "spine_lower", "spine_upper", "neck", "head", "left_clavicle", "left_upper_arm", "left_forearm",
    "right_clavicle", "right_upper_arm", "right_forearm",
  ]

  /// The 16 bones (child, parent) with names and sides.
  public static let bones: [Bone] = (1..<count).map { child in
    Bone(name: boneNames[child - 1], child: child, parent: parents[child] ?? 0, side: sides[child])
  }

  /// The six left/right bone pairs: pelvis, upper_leg, lower_leg, clavicle, upper_arm, forearm.
  public static let bonePairs: [BonePair] = [
    BonePair(name: "pelvis", left: BoneID.leftPelvis.rawValue, right: BoneID.rightPelvis.rawValue),
    BonePair(name: "upper_leg", left: BoneID.leftUpperLeg.rawValue, right: BoneID.rightUpperLeg.rawValue),
    BonePair(name: "lower_leg", left: BoneID.leftLowerLeg.rawValue, right: BoneID.rightLowerLeg.rawValue),
    BonePair(name: "clavicle", left: BoneID.leftClavicle.rawValue, right: BoneID.rightClavicle.rawValue),
    BonePair(name: "upper_arm", left: BoneID.leftUpperArm.rawValue, right: BoneID.rightUpperArm.rawValue),
    BonePair(name: "forearm", left: BoneID.leftForearm.rawValue, right: BoneID.rightForearm.rawValue),
  ]

  /// Drawable connections (parent → child for each bone).
  public static let connections: [Connection] = bones.map {
    Connection($0.parent, $0.child, side: $0.side)
  }

  /// The H36M-17 skeleton.
  public static let skeleton = Skeleton(
    unchecked: "h36m17", jointNames: names, jointSides: sides, parents: parents,
    connections: connections, bones: bones, bonePairs: bonePairs)
}
