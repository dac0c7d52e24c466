// PoseTraining: joint maps from BVH rigs to the H36M-17 skeleton (built-in maps for the two CMU rigs,
// JSON loading) and conversion of BVH motion to H36M-17 poses.

import Foundation
import PoseCore
import PoseFormats

/// How one H36M-17 joint is computed from a BVH rig, and the maps for the rigs of `../shared/mocap`.
///
/// JSON form (a file per rig; keys of `joints` are the 17 H36M names of `H36M17.names`):
///
///     {
///       "name": "cmu-131",
///       "metresPerUnit": 0.056444,
///       "joints": {
///         "pelvis":   {"mean": ["LeftHip", "RightHip"]},
///         "right_hip": {"joint": "RightHip"},
///         "head_top": {"endSite": "Head"},
///         ...
///       }
///     }
///
/// A source is exactly one of: `{"joint": J}` (the joint's world position), `{"joint": J, "localOffset":
/// [x, y, z]}` (a point fixed in J's local frame, in file units — a virtual End Site), `{"endSite": J}`
/// (J's first End Site) or `{"mean": [J₁, J₂, …]}` (the mean of joint positions). `metresPerUnit` is the
/// rig's usual unit (optional; callers can pass another `BVHUnit`).
public struct JointMap: Codable, Sendable, Equatable {
  /// How one H36M joint is computed.
  public struct Source: Codable, Sendable, Equatable {
    /// A joint's position (or, with `localOffset`, a point fixed in its frame).
    public var joint: String?
    /// The first End Site of this joint.
    public var endSite: String?
    /// The mean of these joints' positions.
    public var mean: [String]?
    /// Offset in `joint`'s local frame, file units.
    public var localOffset: [Double]?

    /// A joint's position.
    public static func joint(_ name: String) -> Source { Source(joint: name) }
    /// A point fixed in a joint's local frame.
    public static func joint(_ name: String, localOffset: Vec3) -> Source {
      Source(joint: name, localOffset: [localOffset.x, localOffset.y, localOffset.z])
    }
    /// A joint's first End Site.
    public static func endSite(_ name: String) -> Source { Source(endSite: name) }
    /// The mean of joint positions.
    public static func mean(_ names: [String]) -> Source { Source(mean: names) }

    /// Creates a source (exactly one of `joint`, `endSite`, `mean`; `localOffset` only with `joint`).
    public init(
      joint: String? = nil, endSite: String? = nil, mean: [String]? = nil, localOffset: [Double]? = nil
    ) {
      self.joint = joint
      self.endSite = endSite
      self.mean = mean
      self.localOffset = localOffset
    }
  }

  /// Rig name, e.g. `cmu-iclone`.
  public var name: String
  /// The rig's usual unit in metres per file unit, if known.
  public var metresPerUnit: Double?
  /// Source of each H36M joint, keyed by `H36M17.names`.
  public var joints: [String: Source]

  /// Creates a map.
  public init(name: String, metresPerUnit: Double?, joints: [String: Source]) {
    self.name = name
    self.metresPerUnit = metresPerUnit
    self.joints = joints
  }

  /// The unit to use when none is given: `metresPerUnit`, else metres.
  public var defaultUnit: BVHUnit { BVHUnit(metresPerUnit: metresPerUnit ?? 1) }

  /// Checks that exactly the 17 H36M joints are mapped and every source is well formed.
  ///
  /// - Throws: `TrainingError.badJointMap` naming `path` and the problem.
  public func validate(path: String) throws {
    func bad(_ reason: String) -> TrainingError { .badJointMap(path: path, reason: reason) }
    for key in joints.keys.sorted() where !H36M17.names.contains(key) {
      throw bad("'\(key)' is not an H36M-17 joint (expected one of \(H36M17.names.joined(separator: ", ")))")
    }
    for name in H36M17.names {
      guard let s = joints[name] else { throw bad("H36M joint '\(name)' is not mapped") }
      let kinds = [s.joint != nil, s.endSite != nil, s.mean != nil].filter { $0 }.count
      guard kinds == 1 else {
        throw bad("'\(name)' must have exactly one of \"joint\", \"endSite\" or \"mean\"")
      }
      if let offset = s.localOffset {
        guard s.joint != nil else { throw bad("'\(name)': \"localOffset\" needs \"joint\"") }
        guard offset.count == 3, offset.allSatisfy(\.isFinite) else {
          throw bad("'\(name)': \"localOffset\" must be 3 finite numbers")
        }
      }
      if let mean = s.mean, mean.isEmpty || mean.count > 64 {
        throw bad("'\(name)': \"mean\" needs 1 to 64 joint names")
      }
    }
    if let m = metresPerUnit, !(m > 0 && m.isFinite) {
      throw bad("metresPerUnit \(m) must be positive and finite")
    }
  }

  /// Reads and validates a JSON map.
  ///
  /// - Throws: `TrainingError.io` when unreadable (or over 1 MB), `.badJointMap` when malformed.
  public static func load(path: String) throws -> JointMap {
    if let size = (try? FileManager.default.attributesOfItem(atPath: path))?[.size] as? NSNumber,
      size.intValue > 1_000_000
    {
      throw TrainingError.io(path: path, reason: "joint map is over 1 MB; is this the right file?")
    }
    guard let data = FileManager.default.contents(atPath: path) else {
      throw TrainingError.io(path: path, reason: "cannot read joint map (does the file exist?)")
    }
    return try decode(data, path: path)
  }

  /// Decodes and validates a JSON map; `path` is used in errors.
  public static func decode(_ data: Data, path: String) throws -> JointMap {
    let map: JointMap
    do {
      map = try JSONDecoder().decode(JointMap.self, from: data)
    } catch {
      throw TrainingError.badJointMap(path: path, reason: "not a valid joint map JSON (\(error))")
    }
    try map.validate(path: path)
    return map
  }

  /// The map as pretty-printed JSON with sorted keys.
  public func jsonData() throws -> Data {
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
    return try encoder.encode(self)
  }

  /// The Reallusion `CC_Base_*` rig of `../shared/mocap/cmu-iclone` (centimetres, Y up).
  ///
  /// Spine is `CC_Base_Spine02` (Spine01 sits only ~12 cm above the hips). The rig has no head-top joint;
  /// `head_top` is a virtual End Site 20 cm along `CC_Base_Head`'s local +Y axis, which points up the
  /// head (the eyes are at (0, 8.2, 8.2) cm in that frame: 8.2 cm up, 8.2 cm forward). The vertex is
  /// ≈ 0.064 H above eye level (eye height 0.936 H; Winter, *Biomechanics and Motor Control of Human
  /// Movement*, 2009), ≈ 11.6 cm for this ≈ 1.8 m character, so 8.2 + 11.6 ≈ 20 cm; it is put straight
  /// above the joint, since the vertex lies over the ear canals, about 8 cm behind the eyes.
  public static let cmuIClone = JointMap(
    name: "cmu-iclone", metresPerUnit: 0.01,
    joints: [
      "pelvis": .mean(["CC_Base_L_Thigh", "CC_Base_R_Thigh"]),
      "right_hip": .joint("CC_Base_R_Thigh"), "right_knee": .joint("CC_Base_R_Calf"),
      "right_ankle": .joint("CC_Base_R_Foot"),
      "left_hip": .joint("CC_Base_L_Thigh"), "left_knee": .joint("CC_Base_L_Calf"),
      "left_ankle": .joint("CC_Base_L_Foot"),
      "spine": .joint("CC_Base_Spine02"), "thorax": .joint("CC_Base_NeckTwist01"),
      "neck_nose": .joint("CC_Base_Head"),
      "head_top": .joint("CC_Base_Head", localOffset: Vec3(0, 20, 0)),
      "left_shoulder": .joint("CC_Base_L_Upperarm"), "left_elbow": .joint("CC_Base_L_Forearm"),
      "left_wrist": .joint("CC_Base_L_Hand"),
      "right_shoulder": .joint("CC_Base_R_Upperarm"), "right_elbow": .joint("CC_Base_R_Forearm"),
      "right_wrist": .joint("CC_Base_R_Hand"),
    ])

  /// The 31-joint cgspeed "3dsMax-friendly" CMU rig of `../shared/mocap/cmu-131` (CMU units of
  /// 0.056444 m, Y up). `head_top` is the Head's End Site; `neck_nose` the midpoint of Neck and Head.
  public static let cmu131 = JointMap(
    name: "cmu-131", metresPerUnit: 0.056444,
    joints: [
      "pelvis": .mean(["LeftHip", "RightHip"]),
      "right_hip": .joint("RightHip"), "right_knee": .joint("RightKnee"), "right_ankle": .joint("RightAnkle"),
      "left_hip": .joint("LeftHip"), "left_knee": .joint("LeftKnee"), "left_ankle": .joint("LeftAnkle"),
      "spine": .joint("Chest"), "thorax": .joint("Chest2"), "neck_nose": .mean(["Neck", "Head"]),
      "head_top": .endSite("Head"),
      "left_shoulder": .joint("LeftShoulder"), "left_elbow": .joint("LeftElbow"),
      "left_wrist": .joint("LeftWrist"),
      "right_shoulder": .joint("RightShoulder"), "right_elbow": .joint("RightElbow"),
      "right_wrist": .joint("RightWrist"),
    ])

  /// The built-in maps by name.
  public static let builtIn: [String: JointMap] = ["cmu-iclone": cmuIClone, "cmu-131": cmu131]

  /// Binds the map to a file's hierarchy.
  ///
  /// - Throws: `TrainingError.badJointMap` when the map is invalid or names a joint the file lacks.
  public func resolve(in bvh: BVH) throws -> ResolvedJointMap {
    try validate(path: name)
    var terms: [[ResolvedJointMap.Term]] = []
    for h36m in H36M17.names {
      guard let s = joints[h36m] else {
        throw TrainingError.badJointMap(path: name, reason: "'\(h36m)' unmapped")
      }
      func node(_ j: String) throws -> Int {
        guard let i = bvh.index(of: j), !bvh.nodes[i].isEndSite else {
          throw TrainingError.badJointMap(
            path: name, reason: "H36M joint '\(h36m)' needs BVH joint '\(j)', which \(bvh.path) does not have"
          )
        }
        return i
      }
      if let j = s.joint {
        let offset = s.localOffset.map { Vec3($0[0], $0[1], $0[2]) }
        terms.append([ResolvedJointMap.Term(node: try node(j), localOffset: offset)])
      } else if let j = s.endSite {
        _ = try node(j)
        guard let e = bvh.endSite(of: j) else {
          throw TrainingError.badJointMap(
            path: name, reason: "H36M joint '\(h36m)' needs an End Site under '\(j)' in \(bvh.path)")
        }
        terms.append([ResolvedJointMap.Term(node: e, localOffset: nil)])
      } else if let m = s.mean {
        terms.append(try m.map { ResolvedJointMap.Term(node: try node($0), localOffset: nil) })
      }
    }
    return ResolvedJointMap(terms: terms, mask: bvh.ancestorMask(of: terms.flatMap { $0.map(\.node) }))
  }

  /// All frames of `bvh` as H36M-17 poses in metres (world frame of the file), using `unit` or, when nil,
  /// the map's `defaultUnit`.
  public func poses(from bvh: BVH, unit: BVHUnit? = nil) throws -> [[Vec3]] {
    let resolved = try resolve(in: bvh)
    let u = unit ?? defaultUnit
    return (0..<bvh.frameCount).map { resolved.pose(bvh, frame: $0, unit: u) }
  }
}

/// A joint map bound to one BVH hierarchy (node indices resolved).
public struct ResolvedJointMap: Sendable {
  /// One contributing point.
  public struct Term: Sendable {
    /// BVH node index.
    public let node: Int
    /// Offset in the node's local frame (file units), if any.
    public let localOffset: Vec3?
  }

  /// For each H36M joint, the points averaged.
  public let terms: [[Term]]
  /// Nodes forward kinematics must compute.
  public let mask: [Bool]

  /// The H36M-17 pose of one frame in metres.
  public func pose(_ bvh: BVH, frame: Int, unit: BVHUnit) -> [Vec3] {
    let (positions, rotations) = bvh.worldTransforms(frame: frame, unit: unit, mask: mask)
    return terms.map { group in
      var sum = Vec3.zero
      for t in group {
        var p = positions[t.node]
        if let o = t.localOffset { p += rotations[t.node] * (unit.metresPerUnit * o) }
        sum += p
      }
      return sum / Double(group.count)
    }
  }
}
