// PoseCoreTests: BlazePose-33 and H36M-17 skeleton definitions.

import Foundation
import PoseCore
import Testing

/// Copied verbatim from blazepose-spec.md §8 (mediapipe v0.10.14 pose.py:53-87, pose_connections.py).
private let specNames = """
  0 nose, 1 left_eye_inner, 2 left_eye, 3 left_eye_outer, 4 right_eye_inner, 5 right_eye,
  6 right_eye_outer, 7 left_ear, 8 right_ear, 9 mouth_left, 10 mouth_right, 11 left_shoulder,
  12 right_shoulder, 13 left_elbow, 14 right_elbow, 15 left_wrist, 16 right_wrist, 17 left_pinky,
  18 right_pinky, 19 left_index, 20 right_index, 21 left_thumb, 22 right_thumb, 23 left_hip, 24 right_hip,
  25 left_knee, 26 right_knee, 27 left_ankle, 28 right_ankle, 29 left_heel, 30 right_heel,
  31 left_foot_index, 32 right_foot_index.
  """
private let specConnections = """
  (0,1) (1,2) (2,3) (3,7) (0,4) (4,5) (5,6) (6,8) (9,10) (11,12) (11,13) (13,15) (15,17) (15,19) (15,21)
  (17,19) (12,14) (14,16) (16,18) (16,20) (16,22) (18,20) (11,23) (12,24) (23,24) (23,25) (24,26) (25,27)
  (26,28) (27,29) (28,30) (29,31) (30,32) (27,31) (28,32)
  """

@Test func blazePoseNamesMatchSpec() throws {
  let entries = specNames.split(whereSeparator: { $0 == "," || $0 == "\n" })
    .map { $0.trimmingCharacters(in: [" ", "."]) }.filter { !$0.isEmpty }
  #expect(entries.count == 33)
  for entry in entries {
    let parts = entry.split(separator: " ")
    let index = try #require(Int(parts[0]))
    let name = String(parts[1])
    #expect(BlazePose33.names[index] == name)
    #expect(BlazePose33(rawValue: index)?.name == name)
    #expect(BlazePose33(name: name)?.rawValue == index)
  }
  #expect(BlazePose33.allCases.count == 33)
  #expect(BlazePose33.leftShoulder.rawValue == 11 && BlazePose33.rightFootIndex.rawValue == 32)
  #expect(BlazePose33(name: "tail") == nil)
}

@Test func blazePoseConnectionsMatchSpec() throws {
  let digits = specConnections.split(whereSeparator: { !$0.isNumber }).compactMap { Int($0) }
  #expect(digits.count == 70)
  let pairs = stride(from: 0, to: digits.count, by: 2).map { [digits[$0], digits[$0 + 1]] }
  #expect(BlazePose33.connections.count == 35)
  #expect(BlazePose33.connections.map { [$0.a, $0.b] } == pairs)
  #expect(Skeleton.blazePose33.connections.count == 35)
  #expect(Skeleton.blazePose33.bones.count == 35)
  #expect(Skeleton.blazePose33.parents == nil)
}

@Test func blazePoseSides() {
  #expect(BlazePose33.nose.side == .centre)
  #expect(BlazePose33.mouthLeft.side == .left && BlazePose33.mouthRight.side == .right)
  #expect(BlazePose33.leftEyeOuter.side == .left && BlazePose33.rightHeel.side == .right)
  let left = BlazePose33.allCases.filter { $0.side == .left }.count
  let right = BlazePose33.allCases.filter { $0.side == .right }.count
  #expect(left == 16 && right == 16)
  for landmark in BlazePose33.allCases {
    #expect(landmark.mirrored.mirrored == landmark)
    #expect(landmark.mirrored.side == landmark.side.mirrored)
    if landmark != .nose {
      #expect(
        landmark.mirrored.name.replacing("right", with: "left")
          == landmark.name.replacing("right", with: "left"))
    }
  }
  func side(_ a: Int, _ b: Int) -> BodySide? {
    BlazePose33.connections.first { $0.a == a && $0.b == b }?.side
  }
  #expect(side(11, 12) == .centre)
  #expect(side(23, 24) == .centre)
  #expect(side(9, 10) == .centre)
  #expect(side(0, 1) == .left)
  #expect(side(0, 4) == .right)
  #expect(side(11, 13) == .left)
  #expect(side(24, 26) == .right)
  let counts = Dictionary(grouping: BlazePose33.connections, by: \.side).mapValues(\.count)
  #expect(counts == [.left: 16, .right: 16, .centre: 3])
  #expect(BlazePose33.bonePairs.count == 16)
  for pair in BlazePose33.bonePairs {
    let l = BlazePose33.bones[pair.left]
    let r = BlazePose33.bones[pair.right]
    #expect(l.side == .left && r.side == .right)
    let mirrored = Set([l.parent, l.child].compactMap { BlazePose33(rawValue: $0)?.mirrored.rawValue })
    #expect(mirrored == Set([r.parent, r.child]))
  }
  #expect(BlazePose33.bonePairs.contains { $0.name == "shoulder-elbow" })
}

@Test func h36mDefinition() throws {
  let expected = [
    "pelvis", "right_hip", "right_knee", "right_ankle", "left_hip", "left_knee", "left_ankle", "spine",
    "thorax", "neck_nose", "head_top", "left_shoulder", "left_elbow", "left_wrist", "right_shoulder",
    "right_elbow", "right_wrist",
  ]
  #expect(H36M17.names == expected)
  #expect(H36M17.allCases.map(\.name) == expected)
  let skeleton = Skeleton.h36m17
  #expect(skeleton.jointCount == 17)
  #expect(skeleton.bones.count == 16)
  #expect(skeleton.connections.count == 16)
  // Every bone's parent chain reaches the pelvis.
  for bone in skeleton.bones {
    let chain = try #require(skeleton.chainToRoot(from: bone.child))
    #expect(chain.first == bone.child)
    #expect(chain.dropFirst().first == bone.parent)
    #expect(chain.last == H36M17.pelvis.rawValue)
    #expect(chain.count <= 6)
  }
  #expect(skeleton.chainToRoot(from: 3) == [3, 2, 1, 0])
  #expect(skeleton.chainToRoot(from: 16) == [16, 15, 14, 8, 7, 0])
  #expect(skeleton.chainToRoot(from: 10) == [10, 9, 8, 7, 0])
  #expect(skeleton.chainToRoot(from: 17) == nil)
  #expect(H36M17.headTop.parent == .neckNose)
  #expect(H36M17.pelvis.parent == nil)
  // Bones: names, ends and sides.
  #expect(skeleton.boneIndex(named: "right_upper_leg") == 1)
  #expect(H36M17.BoneID.leftForearm.child == .leftWrist)
  #expect(H36M17.BoneID.leftForearm.parent == .leftElbow)
  #expect(H36M17.BoneID.rightClavicle.parent == .thorax)
  #expect(H36M17.BoneID.spineLower.name == "spine_lower")
  for id in H36M17.BoneID.allCases {
    let bone = skeleton.bones[id.rawValue]
    #expect(bone.name == id.name && bone.child == id.child.rawValue && bone.parent == id.parent.rawValue)
  }
  #expect(Set(skeleton.bones.map(\.name)).count == 16)
  #expect(
    skeleton.bones.filter { $0.side == .centre }.map(\.name) == [
      "spine_lower", "spine_upper", "neck", "head",
    ])
  // Pairs: left bone is left, right bone is right, names agree after removing the side.
  #expect(skeleton.bonePairs.count == 6)
  for pair in skeleton.bonePairs {
    let l = skeleton.bones[pair.left]
    let r = skeleton.bones[pair.right]
    #expect(l.side == .left && r.side == .right)
    #expect(l.name == "left_" + pair.name && r.name == "right_" + pair.name)
  }
  #expect(H36M17.sides[1] == .right && H36M17.sides[11] == .left && H36M17.sides[8] == .centre)
}

@Test func skeletonValidation() throws {
  let names = ["a", "b", "c"]
  let sides: [BodySide] = [.centre, .left, .right]
  let ok = try Skeleton(
    name: "tiny", jointNames: names, jointSides: sides, parents: [nil, 0, 0],
    connections: [Connection(0, 1, side: .left)], bones: [Bone(name: "ab", child: 1, parent: 0, side: .left)],
    bonePairs: [])
  #expect(ok.jointIndex(named: "c") == 2)
  #expect(throws: PoseCoreError.self) {
    try Skeleton(
      name: "cycle", jointNames: names, jointSides: sides, parents: [nil, 2, 1], connections: [], bones: [],
      bonePairs: [])
  }
  #expect(throws: PoseCoreError.self) {
    try Skeleton(
      name: "bad parent", jointNames: names, jointSides: sides, parents: [nil, 5, 0], connections: [],
      bones: [], bonePairs: [])
  }
  #expect(throws: PoseCoreError.self) {
    try Skeleton(
      name: "bad bone", jointNames: names, jointSides: sides, parents: nil, connections: [],
      bones: [Bone(name: "x", child: 3, parent: 0, side: .left)], bonePairs: [])
  }
  #expect(throws: PoseCoreError.self) {
    try Skeleton(
      name: "bad pair", jointNames: names, jointSides: sides, parents: nil, connections: [],
      bones: [], bonePairs: [BonePair(name: "p", left: 0, right: 1)])
  }
  #expect(throws: PoseCoreError.self) {
    try Skeleton(
      name: "sides", jointNames: names, jointSides: [.left], parents: nil, connections: [], bones: [],
      bonePairs: [])
  }
  // The built-in skeletons pass the checked initialiser.
  for s in [Skeleton.blazePose33, Skeleton.h36m17] {
    let checked = try Skeleton(
      name: s.name, jointNames: s.jointNames, jointSides: s.jointSides, parents: s.parents,
      connections: s.connections, bones: s.bones, bonePairs: s.bonePairs)
    #expect(checked == s)
  }
}
