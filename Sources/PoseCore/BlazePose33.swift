// PoseCore: the MediaPipe BlazePose 33-landmark skeleton (names, POSE_CONNECTIONS, sides).

/// The 33 BlazePose landmarks in model output order.
///
/// Names and indices follow mediapipe v0.10.14 `pose.py:53-87`; connections follow
/// `pose_connections.py:16-22` (see blazepose-spec.md §8). "Left" and "right" are the person's own sides.
public enum BlazePose33: Int, CaseIterable, Sendable {
  case nose = 0
  case leftEyeInner, leftEye, leftEyeOuter
  case rightEyeInner, rightEye, rightEyeOuter
  case leftEar, rightEar
  case mouthLeft, mouthRight
  case leftShoulder, rightShoulder
  case leftElbow, rightElbow
  case leftWrist, rightWrist
  case leftPinky, rightPinky
  case leftIndex, rightIndex
  case leftThumb, rightThumb
  case leftHip, rightHip
  case leftKnee, rightKnee
  case leftAnkle, rightAnkle
  case leftHeel, rightHeel
  case leftFootIndex, rightFootIndex

  /// Number of landmarks (33).
  public static let count = 33

  /// Landmark names in index order, exactly as MediaPipe spells them (`left_eye_inner`, …).
  public static let names: [String] = [
    "nose", "left_eye_inner", "left_eye", "left_eye_outer", "right_eye_inner", "right_eye",
    "right_eye_outer", "left_ear", "right_ear", "mouth_left", "mouth_right", "left_shoulder",
    "right_shoulder", "left_elbow", "right_elbow", "left_wrist", "right_wrist", "left_pinky",
    "right_pinky", "left_index", "right_index", "left_thumb", "right_thumb", "left_hip", "right_hip",
    "left_knee", "right_knee", "left_ankle", "right_ankle", "left_heel", "right_heel",
    "left_foot_index", "right_foot_index",
  ]

  /// The 35 `POSE_CONNECTIONS` pairs, in MediaPipe's order.
  public static let connectionPairs: [(Int, Int)] = [
    (0, 1), (1, 2), (2, 3), (3, 7), (0, 4), (4, 5), (5, 6), (6, 8), (9, 10), (11, 12), (11, 13),
    (13, 15), (15, 17), (15, 19), (15, 21), (17, 19), (12, 14), (14, 16), (16, 18), (16, 20), (16, 22),
    (18, 20), (11, 23), (12, 24), (23, 24), (23, 25), (24, 26), (25, 27), (26, 28), (27, 29), (28, 30),
    (29, 31), (30, 32), (27, 31), (28, 32),
  ]

  /// MediaPipe's landmark name (`left_eye_inner`, …).
  public var name: String { Self.names[rawValue] }

  /// Body side of the landmark (nose is `centre`; `mouth_left` is `left`).
  public var side: BodySide {
    if self == .nose { return .centre }
    return name.hasPrefix("left_") || name.hasSuffix("_left") ? .left : .right
  }

  /// The landmark on the other side of the body (for horizontal flips); the nose maps to itself.
  public var mirrored: BlazePose33 {
    switch self {
    case .nose: return .nose
    case .mouthLeft: return .mouthRight
    case .mouthRight: return .mouthLeft
    default:
      // Every other left landmark is immediately followed by its right twin in the two runs
      // 1-3/4-6 (eyes) and 7-32 (alternating left/right).
      switch rawValue {
      case 1...3: return BlazePose33(rawValue: rawValue + 3) ?? self
      case 4...6: return BlazePose33(rawValue: rawValue - 3) ?? self
      default:
        return BlazePose33(rawValue: rawValue % 2 == 1 ? rawValue + 1 : rawValue - 1) ?? self
      }
    }
  }

  /// Landmark with the given MediaPipe name.
  public init?(name: String) {
    guard let index = Self.names.firstIndex(of: name) else { return nil }
    self.init(rawValue: index)
  }

  /// Side of each landmark in index order.
  public static let sides: [BodySide] = allCases.map(\.side)

  /// The 35 connections with their colouring side.
  public static let connections: [Connection] = connectionPairs.map { a, b in
    Connection(a, b, side: BodySide.of(sides[a], sides[b]))
  }

  /// The connections as bones named `<first>-<second>` (e.g. `left_shoulder-left_elbow`).
  public static let bones: [Bone] = connectionPairs.map { a, b in
    Bone(name: "\(names[a])-\(names[b])", child: b, parent: a, side: BodySide.of(sides[a], sides[b]))
  }

  /// Left/right bone pairs: each left bone with the bone joining the mirrored landmarks.
  public static let bonePairs: [BonePair] = {
    var pairs: [BonePair] = []
    for (i, bone) in bones.enumerated() where bone.side == .left {
      guard let a = BlazePose33(rawValue: bone.parent)?.mirrored.rawValue,
        let b = BlazePose33(rawValue: bone.child)?.mirrored.rawValue
      else { continue }
      guard
        let j = bones.firstIndex(where: {
          ($0.parent == a && $0.child == b) || ($0.parent == b && $0.child == a)
        })
      else { continue }
      let pairName = bone.name.replacing("left_", with: "").replacing("_left", with: "")
      pairs.append(BonePair(name: pairName, left: i, right: j))
    }
    return pairs
  }()

  /// The BlazePose-33 skeleton (no parent tree; bones are the 35 connections).
  public static let skeleton = Skeleton(
    unchecked: "blazepose33", jointNames: names, jointSides: sides, parents: nil,
    connections: connections, bones: bones, bonePairs: bonePairs)
}
