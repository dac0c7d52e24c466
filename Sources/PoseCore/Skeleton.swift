// PoseCore: the generic Skeleton value (joints, connections, bones, left/right pairs) used by all skeletons.

/// Which side of the body a joint, connection or bone belongs to (the person's own left/right).
public enum BodySide: String, Sendable, Hashable, CaseIterable {
  case left
  case right
  case centre

  /// Side of a segment joining two joints: the shared side, the one lateral side if the other end is
  /// central (e.g. nose→left eye is `left`), and `centre` when it joins left to right.
  public static func of(_ a: BodySide, _ b: BodySide) -> BodySide {
    switch (a, b) {
    case (.left, .left), (.left, .centre), (.centre, .left): return .left
    case (.right, .right), (.right, .centre), (.centre, .right): return .right
    default: return .centre
    }
  }

  /// The mirrored side (left ↔ right, centre stays).
  public var mirrored: BodySide {
    switch self {
    case .left: return .right
    case .right: return .left
    case .centre: return .centre
    }
  }
}

/// A drawable segment between joints `a` and `b` of a skeleton.
public struct Connection: Sendable, Hashable {
  /// First joint index.
  public let a: Int
  /// Second joint index.
  public let b: Int
  /// Side for colouring (see `BodySide.of`).
  public let side: BodySide

  /// Creates a connection.
  public init(_ a: Int, _ b: Int, side: BodySide) {
    self.a = a
    self.b = b
    self.side = side
  }
}

/// A named bone whose length is measured between `child` and `parent` joints.
///
/// For skeletons that are not a tree (BlazePose-33) `parent` is simply the first joint of the connection.
public struct Bone: Sendable, Hashable {
  /// Bone name, e.g. `right_upper_leg`.
  public let name: String
  /// Distal joint index.
  public let child: Int
  /// Proximal joint index.
  public let parent: Int
  /// Body side of the bone.
  public let side: BodySide

  /// Creates a bone.
  public init(name: String, child: Int, parent: Int, side: BodySide) {
    self.name = name
    self.child = child
    self.parent = parent
    self.side = side
  }
}

/// A left/right pair of bones (indices into `Skeleton.bones`) for symmetry checks.
public struct BonePair: Sendable, Hashable {
  /// Name of the pair, e.g. `upper_leg`.
  public let name: String
  /// Index of the left bone in `Skeleton.bones`.
  public let left: Int
  /// Index of the right bone in `Skeleton.bones`.
  public let right: Int

  /// Creates a bone pair.
  public init(name: String, left: Int, right: Int) {
    self.name = name
    self.left = left
    self.right = right
  }
}

/// A skeleton definition: joint names and sides, optional parent tree, drawable connections, bones and
/// left/right bone pairs. Lets viewers and metrics treat BlazePose-33 and H36M-17 uniformly.
public struct Skeleton: Sendable, Hashable {
  /// Short identifier, e.g. `blazepose33` or `h36m17`.
  public let name: String
  /// Joint names in index order.
  public let jointNames: [String]
  /// Body side of each joint.
  public let jointSides: [BodySide]
  /// Parent joint of each joint (nil for the root) when the skeleton is a tree, nil otherwise.
  public let parents: [Int?]?
  /// Segments to draw.
  public let connections: [Connection]
  /// Named bones for length measurements.
  public let bones: [Bone]
  /// Left/right bone pairs.
  public let bonePairs: [BonePair]

  /// Number of joints.
  public var jointCount: Int { jointNames.count }

  /// Creates a skeleton after checking that every index is in range and every parent chain reaches a root.
  public init(
    name: String, jointNames: [String], jointSides: [BodySide], parents: [Int?]?,
    connections: [Connection], bones: [Bone], bonePairs: [BonePair]
  ) throws {
    let n = jointNames.count
    let what = "skeleton \(name)"
    guard jointSides.count == n else {
      throw PoseCoreError.countMismatch(what: "\(what) joint sides", expected: n, actual: jointSides.count)
    }
    if let parents {
      guard parents.count == n else {
        throw PoseCoreError.countMismatch(what: "\(what) parents", expected: n, actual: parents.count)
      }
      for (joint, parent) in parents.enumerated() {
        if let parent, !(0..<n).contains(parent) {
          throw PoseCoreError.indexOutOfRange(
            what: "\(what) parent of joint \(joint)", index: parent, count: n)
        }
      }
      for joint in 0..<n {
        var current = joint
        var steps = 0
        while let p = parents[current] {
          current = p
          steps += 1
          if steps > n { throw PoseCoreError.invalidValue(what: "\(what): parent cycle at joint \(joint)") }
        }
      }
    }
    for c in connections where !(0..<n).contains(c.a) || !(0..<n).contains(c.b) {
      throw PoseCoreError.indexOutOfRange(
        what: "\(what) connection", index: (0..<n).contains(c.a) ? c.b : c.a, count: n)
    }
    for bone in bones where !(0..<n).contains(bone.child) || !(0..<n).contains(bone.parent) {
      throw PoseCoreError.indexOutOfRange(
        what: "\(what) bone \(bone.name)", index: (0..<n).contains(bone.child) ? bone.parent : bone.child,
        count: n)
    }
    for pair in bonePairs where !bones.indices.contains(pair.left) || !bones.indices.contains(pair.right) {
      throw PoseCoreError.indexOutOfRange(
        what: "\(what) bone pair \(pair.name)",
        index: bones.indices.contains(pair.left) ? pair.right : pair.left, count: bones.count)
    }
    self.init(
      unchecked: name, jointNames: jointNames, jointSides: jointSides, parents: parents,
      connections: connections, bones: bones, bonePairs: bonePairs)
  }

  init(
    unchecked name: String, jointNames: [String], jointSides: [BodySide], parents: [Int?]?,
    connections: [Connection], bones: [Bone], bonePairs: [BonePair]
  ) {
    self.name = name
    self.jointNames = jointNames
    self.jointSides = jointSides
    self.parents = parents
    self.connections = connections
    self.bones = bones
    self.bonePairs = bonePairs
  }

  /// Index of the joint with this name, if any.
  public func jointIndex(named jointName: String) -> Int? { jointNames.firstIndex(of: jointName) }

  /// Index of the bone with this name, if any.
  public func boneIndex(named boneName: String) -> Int? { bones.firstIndex { $0.name == boneName } }

  /// Chain of joints from `joint` up to the root (inclusive), or nil if the skeleton has no tree or the
  /// index is out of range.
  public func chainToRoot(from joint: Int) -> [Int]? {
    guard let parents, parents.indices.contains(joint) else { return nil }
    var chain = [joint]
    var current = joint
    while let p = parents[current], chain.count <= parents.count {
      chain.append(p)
      current = p
    }
    return chain
  }

  /// The built-in skeletons.
  public static let blazePose33: Skeleton = BlazePose33.skeleton
  /// The Human3.6M 17-joint skeleton.
  public static let h36m17: Skeleton = H36M17.skeleton
}
