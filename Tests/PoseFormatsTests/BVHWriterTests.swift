// PoseCoreTests: BVHWriter — hierarchy text, channel counts, rotation solving (incl. gimbal lock and
// degenerate bones), frame filling and bad input. (The round trip through PoseTraining's BVH reader is in
// PoseTrainingTests/BVHRoundTripTests.)

import Foundation
import PoseCore
import PoseScopeTestSupport
import Testing

@testable import PoseFormats

/// Lengths (m) of a 1.75 m person, `H36M17.bones` order.
let bvhTestLengths: [Double] = [
  0.13, 0.44, 0.43, 0.13, 0.44, 0.43, 0.24, 0.26, 0.11, 0.12, 0.15, 0.28, 0.25, 0.15, 0.28, 0.25,
]

/// A pose (camera frame, y down) with bone `k` of `lengths[k]` pointing along a random direction.
func randomPose(_ rng: inout SeededRandom, lengths: [Double] = bvhTestLengths, root: Vec3 = .zero) -> [Vec3] {
  var p = [Vec3](repeating: root, count: H36M17.count)
  for (k, bone) in H36M17.bones.enumerated() {
    var d = randomVec3(&rng)
    while d.norm < 1e-3 { d = randomVec3(&rng) }
    p[bone.child] = p[bone.parent] + lengths[k] * (d.normalized ?? Vec3(0, 1, 0))
  }
  return p
}

/// Forward kinematics of a solved frame (BVH space, metres), written independently of the writer: each
/// joint at its parent plus the parent's world rotation times its rest offset.
func forwardKinematics(_ frame: BVHWriter.Frame, lengths: [Double]) -> [Vec3] {
  let joints = BVHWriter.joints
  var world = [Mat3](repeating: .identity, count: joints.count)
  var position = [Vec3](repeating: .zero, count: joints.count)
  var h36m = [Vec3](repeating: .zero, count: H36M17.count)
  for (i, joint) in joints.enumerated() {
    let offset = joint.offsetBone.map { lengths[$0] * BVHWriter.restDirections[$0] } ?? .zero
    if let p = joint.parent {
      position[i] = position[p] + world[p] * offset
      world[i] = world[p] * frame.localRotations[i]
    } else {
      position[i] = frame.rootPosition
      world[i] = frame.localRotations[i]
    }
    h36m[joint.h36mJoint] = position[i]
    if joint.hasEndSite, let b = joint.endSiteBone {
      h36m[H36M17.bones[b].child] = position[i] + world[i] * (lengths[b] * BVHWriter.restDirections[b])
    }
  }
  return h36m
}

@Suite struct BVHWriterTests {
  @Test func hierarchyTextHasTheDocumentedJointsAndChannels() throws {
    let text = try BVHWriter.write(
      frames: [nil, nil], lengths: bvhTestLengths, frameTime: 1.0 / 30, unit: .centimetre)
    let lines = text.split(separator: "\n").map { $0.trimmingCharacters(in: .whitespaces) }
    #expect(lines.first == "HIERARCHY" && lines[1] == "ROOT Hips")
    let jointNames = lines.filter { $0.hasPrefix("JOINT ") }.map { String($0.dropFirst(6)) }
    #expect(
      jointNames == [
        "RHipJoint", "RightUpLeg", "RightLeg", "RightFoot", "LHipJoint", "LeftUpLeg", "LeftLeg", "LeftFoot",
        "LowerBack", "Spine", "Spine1", "Neck", "Head", "LeftShoulder", "LeftArm", "LeftForeArm", "LeftHand",
        "RightShoulder", "RightArm", "RightForeArm", "RightHand",
      ])
    #expect(lines.filter { $0 == "End Site" }.count == 5)
    let channels = lines.filter { $0.hasPrefix("CHANNELS") }
    #expect(channels.count == 22)
    #expect(channels[0] == "CHANNELS 6 Xposition Yposition Zposition Zrotation Xrotation Yrotation")
    #expect(channels.dropFirst().allSatisfy { $0 == "CHANNELS 3 Zrotation Xrotation Yrotation" })
    #expect(BVHWriter.channelCount == 69)
    // Braces balance; every block has one OFFSET.
    #expect(lines.filter { $0 == "{" }.count == 27 && lines.filter { $0 == "}" }.count == 27)
    #expect(lines.filter { $0.hasPrefix("OFFSET") }.count == 27)
    // OFFSETs in cm along the T-pose: the right hip 13 cm to −X, the left forearm 25 cm to +X, head_top
    // (Head's End Site) 12 cm up.
    let offsets = lines.enumerated().filter { $0.element.hasPrefix("OFFSET") }.map { $0.element }
    #expect(offsets[0] == "OFFSET 0 0 0")
    #expect(offsets[2] == "OFFSET -13 0 0")  // RightUpLeg
    #expect(lines.contains("OFFSET 25 0 0"))
    let headEnd = try #require(lines.firstIndex(of: "JOINT Head"))
    #expect(lines[headEnd + 6] == "OFFSET 0 12 0")
    #expect(
      lines.contains("MOTION") && lines.contains("Frames: 2") && lines.contains("Frame Time: 0.033333333"))
    let motion = try #require(lines.firstIndex(of: "MOTION"))
    let rows = lines[(motion + 3)...]
    #expect(rows.count == 2)
    #expect(rows.allSatisfy { $0.split(separator: " ").count == 69 })
    #expect(rows.allSatisfy { $0.split(separator: " ").allSatisfy { $0 == "0" } }, "rest pose: all zero")
  }

  @Test func nodeNamesMapEveryH36MJoint() {
    #expect(
      BVHWriter.h36mNodeNames == [
        "Hips", "RightUpLeg", "RightLeg", "RightFoot", "LeftUpLeg", "LeftLeg", "LeftFoot", "Spine", "Spine1",
        "Head", "Head/End Site", "LeftArm", "LeftForeArm", "LeftHand", "RightArm", "RightForeArm",
        "RightHand",
      ])
  }

  @Test func restPoseIsAYUpTPose() throws {
    let rest = try BVHWriter.restPose(lengths: bvhTestLengths)
    #expect(rest[H36M17.leftWrist.rawValue].x > 0.6 && rest[H36M17.rightWrist.rawValue].x < -0.6)
    #expect(abs(rest[H36M17.headTop.rawValue].y - (0.24 + 0.26 + 0.11 + 0.12)) < 1e-12)
    #expect(abs(rest[H36M17.leftAnkle.rawValue].y + 0.87) < 1e-12)
    // A solved rest pose (camera frame = BVH space flipped back) has identity rotations.
    let frame = try BVHWriter.solve(rest.map(BVHWriter.toBVHSpace))
    #expect(frame.localRotations.allSatisfy { $0.maxAbsDifference(.identity) < 1e-12 })
  }

  @Test func solvedRotationsReproduceRandomPosesExactly() throws {
    var rng = SeededRandom(seed: 9)
    for _ in 0..<200 {
      let pose = randomPose(&rng, root: randomVec3(&rng))
      let frame = try BVHWriter.solve(pose)
      #expect(frame.localRotations.allSatisfy { $0.isRotation(tolerance: 1e-9) })
      let back = forwardKinematics(frame, lengths: bvhTestLengths).map(BVHWriter.toBVHSpace)
      #expect(largestDistance(back, pose) < 1e-9)
    }
  }

  @Test func multiChildJointsTakeTheKabschRotation() throws {
    // The whole rest pose rotated by R: Hips and Spine1 get R (their child bones fit exactly), every
    // per-bone joint below them the identity.
    var rng = SeededRandom(seed: 3)
    let r = randomRotation(&rng)
    let rest = try BVHWriter.restPose(lengths: bvhTestLengths)
    let pose = rest.map { BVHWriter.toBVHSpace(r * $0) }
    let frame = try BVHWriter.solve(pose)
    #expect(frame.localRotations[0].maxAbsDifference(r) < 1e-9)
    for i in 1..<BVHWriter.joints.count {
      #expect(frame.localRotations[i].maxAbsDifference(.identity) < 1e-9, "\(BVHWriter.joints[i].name)")
    }
  }

  @Test func eulerZXYRoundTripsIncludingGimbalLock() {
    var rng = SeededRandom(seed: 17)
    var cases: [Mat3] = (0..<500).map { _ in randomRotation(&rng) }
    for z in [-170.0, 0, 35, 180] {
      for y in [-90.0, 0, 60] {
        for x in [90.0, -90, 89.9999999, -89.99999999] {
          cases.append(BVHWriter.rotationZXY(Vec3(z, x, y)))
        }
      }
    }
    cases += [.identity, Mat3(diagonal: Vec3(-1, -1, 1)), Mat3(diagonal: Vec3(1, -1, -1))]
    for r in cases {
      let e = BVHWriter.eulerZXY(r)
      #expect(e.x.isFinite && e.y.isFinite && e.z.isFinite)
      #expect(abs(e.y) <= 90 + 1e-9)
      #expect(BVHWriter.rotationZXY(e).maxAbsDifference(r) < 1e-7, "\(r) → \(e)")
    }
    // Exactly at x = 90°, y is set to 0 and z carries z + y.
    let locked = BVHWriter.eulerZXY(BVHWriter.rotationZXY(Vec3(30, 90, 20)))
    #expect(abs(locked.y - 90) < 1e-9 && abs(locked.z) < 1e-9 && abs(locked.x - 50) < 1e-6)
  }

  @Test func minimalRotationHandlesOppositeAndZeroVectors() {
    let a = Vec3(1, 0, 0)
    let flip = BVHWriter.minimalRotation(from: a, to: -a)
    #expect((flip * a + a).norm < 1e-12 && flip.isRotation(tolerance: 1e-12))
    #expect(BVHWriter.minimalRotation(from: a, to: .zero) == .identity)
    let b = Vec3(0.3, -0.4, 0.5).normalized!
    let r = BVHWriter.minimalRotation(from: a, to: b)
    #expect((r * a - b).norm < 1e-12)
    // Minimal: the axis is perpendicular to both, so a vector along a × b is left alone.
    let axis = a.cross(b).normalized!
    #expect((r * axis - axis).norm < 1e-12)
  }

  @Test func degeneratePosesGiveFiniteRotations() throws {
    // All joints at one point, a zero-length thigh, a collinear pelvis + spine, an arm folded back onto
    // the clavicle (180°): every rotation finite and proper; the non-degenerate bones still reproduced.
    var rng = SeededRandom(seed: 5)
    var folded = try BVHWriter.restPose(lengths: bvhTestLengths).map(BVHWriter.toBVHSpace)
    let shoulder = folded[H36M17.leftShoulder.rawValue]
    let thorax = folded[H36M17.thorax.rawValue]
    folded[H36M17.leftElbow.rawValue] = shoulder + (thorax - shoulder).normalized! * 0.28
    folded[H36M17.leftWrist.rawValue] = folded[H36M17.leftElbow.rawValue] + Vec3(0, 0.25, 0)
    var zeroThigh = randomPose(&rng)
    let thighShift = zeroThigh[H36M17.rightKnee.rawValue] - zeroThigh[H36M17.rightHip.rawValue]
    for j in [H36M17.rightKnee, .rightAnkle] { zeroThigh[j.rawValue] = zeroThigh[j.rawValue] - thighShift }
    var line = [Vec3](repeating: .zero, count: 17)
    for j in 0..<17 { line[j] = Vec3(0, -0.1 * Double(j), 0) }
    for pose in [[Vec3](repeating: Vec3(1, 2, 3), count: 17), zeroThigh, line, folded] {
      let frame = try BVHWriter.solve(pose)
      #expect(frame.localRotations.allSatisfy { $0.isRotation(tolerance: 1e-9) })
      let angles = frame.localRotations.map(BVHWriter.eulerZXY)
      #expect(angles.allSatisfy { $0.x.isFinite && $0.y.isFinite && $0.z.isFinite })
    }
    let back = forwardKinematics(try BVHWriter.solve(folded), lengths: bvhTestLengths).map(
      BVHWriter.toBVHSpace)
    #expect(largestDistance(back, folded) < 1e-9)
  }

  @Test func framesWithoutAPersonHoldThePreviousPose() throws {
    var rng = SeededRandom(seed: 11)
    let a = randomPose(&rng, root: Vec3(0.1, 0.2, 3))
    let text = try BVHWriter.write(frames: [nil, a, nil, nil], lengths: bvhTestLengths, frameTime: 0.04)
    let rows = text.split(separator: "\n").suffix(4).map(String.init)
    #expect(rows[0].split(separator: " ").allSatisfy { $0 == "0" })
    #expect(rows[1] == rows[2] && rows[2] == rows[3] && rows[1] != rows[0])
    #expect(rows[1].hasPrefix("10 -20 -300 "), "root in cm, y and z flipped: \(rows[1].prefix(30))")
    #expect(text.contains("Frame Time: 0.04\n"))
  }

  @Test func unitsScaleOffsetsAndRootButNotAngles() throws {
    var rng = SeededRandom(seed: 12)
    let pose = randomPose(&rng, root: Vec3(0.5, -0.25, 2))
    let m = try BVHWriter.write(frames: [pose], lengths: bvhTestLengths, frameTime: 0.02, unit: .metre)
    let mm = try BVHWriter.write(frames: [pose], lengths: bvhTestLengths, frameTime: 0.02, unit: .millimetre)
    let rowM = m.split(separator: "\n").last!.split(separator: " ").compactMap { Double($0) }
    let rowMM = mm.split(separator: "\n").last!.split(separator: " ").compactMap { Double($0) }
    #expect(rowM.count == 69 && rowMM.count == 69)
    #expect(Array(rowM.prefix(3)) == [0.5, 0.25, -2] && Array(rowMM.prefix(3)) == [500, 250, -2000])
    #expect(Array(rowM.dropFirst(3)) == Array(rowMM.dropFirst(3)))
    #expect(m.contains("OFFSET -0.13 0 0") && mm.contains("OFFSET -130 0 0"))
  }

  @Test func numbersAreCompactWithoutNegativeZero() {
    #expect(BVHWriter.format(-0.000001, decimals: 4) == "0")
    #expect(BVHWriter.format(12.5, decimals: 4) == "12.5")
    #expect(BVHWriter.format(-3, decimals: 5) == "-3")
    #expect(BVHWriter.format(0.123456789, decimals: 5) == "0.12346")
  }

  @Test func badInputThrowsClearErrors() throws {
    var rng = SeededRandom(seed: 1)
    let pose = randomPose(&rng)
    #expect(throws: PoseCoreError.empty(what: "BVH frames")) {
      try BVHWriter.write(frames: [], lengths: bvhTestLengths, frameTime: 0.04)
    }
    #expect(throws: PoseCoreError.countMismatch(what: "H36M-17 joints", expected: 17, actual: 16)) {
      try BVHWriter.write(frames: [Array(pose.prefix(16))], lengths: bvhTestLengths, frameTime: 0.04)
    }
    #expect(throws: PoseCoreError.countMismatch(what: "H36M-17 bone lengths", expected: 16, actual: 15)) {
      try BVHWriter.write(frames: [pose], lengths: Array(bvhTestLengths.prefix(15)), frameTime: 0.04)
    }
    var nan = pose
    nan[4].y = .nan
    #expect(throws: PoseCoreError.invalidValue(what: "a joint coordinate is not finite")) {
      try BVHWriter.write(frames: [pose, nan], lengths: bvhTestLengths, frameTime: 0.04)
    }
    var negative = bvhTestLengths
    negative[3] = -0.1
    #expect(throws: PoseCoreError.self) {
      try BVHWriter.write(frames: [pose], lengths: negative, frameTime: 0.04)
    }
    for t in [0.0, -1, .infinity, .nan] {
      #expect(throws: PoseCoreError.self) {
        try BVHWriter.write(frames: [pose], lengths: bvhTestLengths, frameTime: t)
      }
    }
  }
}
