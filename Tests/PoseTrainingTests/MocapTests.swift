// PoseTrainingTests: joint maps (JSON and built-in) and H36M-17 conversion of the real CMU clips in
// ../shared/mocap for both rigs.

import Foundation
import PoseCore
import PoseFormats
import PoseScopeTestSupport
import Testing

@testable import PoseTraining

@Suite struct JointMapTests {
  @Test(arguments: ["cmu-iclone", "cmu-131"])
  func jsonFixtureEqualsTheBuiltInMap(_ name: String) throws {
    let map = try JointMap.load(path: try fixturePath("jointmaps/\(name).json"))
    #expect(map == JointMap.builtIn[name])
    // And the encoder's output reads back to the same map.
    #expect(try JointMap.decode(try map.jsonData(), path: "round trip") == map)
  }

  func expectBad(_ json: String, _ fragment: String, sourceLocation: SourceLocation = #_sourceLocation) {
    do {
      _ = try JointMap.decode(Data(json.utf8), path: "test.json")
      Issue.record("accepted a bad map", sourceLocation: sourceLocation)
    } catch let error as TrainingError {
      #expect(
        "\(error)".contains(fragment) && "\(error)".contains("test.json"), "\(error)",
        sourceLocation: sourceLocation)
    } catch {
      Issue.record("unexpected \(error)", sourceLocation: sourceLocation)
    }
  }

  @Test func malformedMapsAreRejected() throws {
    let good = String(decoding: try JointMap.cmu131.jsonData(), as: UTF8.self)
    expectBad("[]", "not a valid joint map JSON")
    expectBad(good.replacingOccurrences(of: "\"pelvis\"", with: "\"hips\""), "'hips' is not an H36M-17 joint")
    expectBad(
      good.replacingOccurrences(
        of: "\"endSite\" : \"Head\"", with: "\"endSite\" : \"Head\", \"joint\" : \"Head\""),
      "exactly one of")
    expectBad(
      good.replacingOccurrences(
        of: "\"endSite\" : \"Head\"", with: "\"endSite\" : \"Head\", \"localOffset\" : [1]"),
      "\"localOffset\" needs \"joint\"")
    expectBad(good.replacingOccurrences(of: "0.056444", with: "-1"), "metresPerUnit -1.0 must be positive")
    #expect(throws: TrainingError.self) { try JointMap.load(path: "/nonexistent/map.json") }
  }

  @Test func resolvingAgainstTheWrongRigNamesTheMissingJoint() throws {
    let bvh = try BVH.read(path: try fixturePath("bvh/tiny.bvh"))
    do {
      _ = try JointMap.cmu131.resolve(in: bvh)
      Issue.record("resolved a map against the wrong rig")
    } catch let error as TrainingError {
      #expect("\(error)".contains("needs BVH joint 'LeftHip'") && "\(error)".contains("tiny.bvh"), "\(error)")
    }
  }

  @Test func localOffsetIsAPointFixedInTheJointFrame() throws {
    let bvh = try BVH.read(path: try fixturePath("bvh/tiny.bvh"))
    var joints: [String: JointMap.Source] = [:]
    for name in H36M17.names { joints[name] = .joint("Hips") }
    joints["head_top"] = .joint("Knee", localOffset: Vec3(0, 0, 3))
    joints["left_wrist"] = .endSite("Arm")
    joints["thorax"] = .mean(["Knee", "Arm"])
    let poses = try JointMap(name: "tiny", metresPerUnit: 0.01, joints: joints).poses(from: bvh)
    // Frame 1: Knee at (11, 2, 3) cm with world rotation Rz(90°)·Rx(90°)·Ry(90°), which maps (0, 0, 3) to
    // (0, 3, 0): the point is at (11, 5, 3) cm.
    expectClose(poses[1][10], Vec3(0.11, 0.05, 0.03))
    expectClose(poses[1][13], Vec3(0.01, 0.07, -0.01))
    expectClose(poses[1][8], Vec3(0.06, 0.045, 0.03))
  }
}

/// Tolerances of the real-data checks:
/// - femur (hip→knee) and shin (knee→ankle) lengths in [0.35, 0.5] m in every checked frame (issue 4);
/// - left vs right, |L − R| / mean(L, R): ≤ 3 % for the pelvis, femur and shin pairs (cgspeed CMU rig:
///   femurs 1.1 %, shins 0.7 %; CC_Base rig: < 0.01 %) and ≤ 10 % for the arm pairs, because subject
///   131's calibrated skeleton itself is asymmetric there (its OFFSETs give clavicle 7.8 %, upper arm
///   4.8 %, forearm 5.0 %);
/// - the 12 limb and girdle bones are single rig segments and rigid (length std < 0.1 mm over the clip);
///   the trunk, neck and head bones span several rotating rig joints (e.g. pelvis = hip midpoint, which
///   is off the spine chain) and flex with the body: std < 1 cm.
@Suite struct MocapTests {
  struct Clip {
    var file: String
    var map: JointMap
    /// Toe joint and ankle joint names, for the body's forward direction in the left/right check.
    var leftToe: String
    var leftFoot: String
  }

  static let clips: [Clip] = [
    Clip(file: "cmu-131/131_01.bvh", map: .cmu131, leftToe: "LeftToe", leftFoot: "LeftAnkle"),
    Clip(file: "cmu-131/131_02.bvh", map: .cmu131, leftToe: "LeftToe", leftFoot: "LeftAnkle"),
    Clip(file: "cmu-131/131_03.bvh", map: .cmu131, leftToe: "LeftToe", leftFoot: "LeftAnkle"),
    // Both root layouts of the iClone conversion: RL_BoneRoot above CC_Base_Hip (002_01) and CC_Base_Hip
    // as the ROOT (the others); 007_01 is the validation subject.
    Clip(
      file: "cmu-iclone/002_01.bvh", map: .cmuIClone, leftToe: "CC_Base_L_ToeBase", leftFoot: "CC_Base_L_Foot"
    ),
    Clip(
      file: "cmu-iclone/005_01.bvh", map: .cmuIClone, leftToe: "CC_Base_L_ToeBase", leftFoot: "CC_Base_L_Foot"
    ),
    Clip(
      file: "cmu-iclone/007_01.bvh", map: .cmuIClone, leftToe: "CC_Base_L_ToeBase", leftFoot: "CC_Base_L_Foot"
    ),
  ]

  func mocapPath(_ file: String) throws -> String {
    let dir = try #require(
      mocapDirectory(),
      "../shared/mocap (next to the package root) is missing: the BVH tests need the CMU clips of its README")
    let path = dir + "/" + file
    try #require(
      FileManager.default.fileExists(atPath: path), "\(path) is missing (see ../shared/mocap/README.md)")
    return path
  }

  @Test(arguments: clips.indices)
  func bonesArePlausibleSymmetricAndRigid(_ i: Int) throws {
    let clip = Self.clips[i]
    let bvh = try BVH.read(path: try mocapPath(clip.file))
    #expect(bvh.frameCount > 50)
    let resolved = try clip.map.resolve(in: bvh)
    let unit = clip.map.defaultUnit
    let frames = Array(stride(from: 0, to: bvh.frameCount, by: 7))
    let poses = frames.map { resolved.pose(bvh, frame: $0, unit: unit) }
    let lengths = try poses.map { try PoseMetrics.boneLengths($0, skeleton: .h36m17) }
    let legBones = [H36M17.BoneID.rightUpperLeg, .rightLowerLeg, .leftUpperLeg, .leftLowerLeg].map(\.rawValue)
    for frame in lengths {
      for b in legBones {
        #expect(frame[b] >= 0.35 && frame[b] <= 0.5, "\(clip.file) \(H36M17.boneNames[b]) = \(frame[b]) m")
      }
    }
    let stats = try BoneLengthStatistics(frames: lengths)
    let flexible = Set([H36M17.BoneID.spineLower, .spineUpper, .neck, .head].map(\.rawValue))
    for (b, std) in stats.standardDeviation.enumerated() {
      #expect(
        std < (flexible.contains(b) ? 0.01 : 1e-4), "\(clip.file) \(H36M17.boneNames[b]) varies by \(std) m")
      #expect(stats.mean[b] > 0.03, "\(clip.file) \(H36M17.boneNames[b]) is \(stats.mean[b]) m")
    }
    for pair in try PoseMetrics.asymmetry(lengths: stats.mean, skeleton: .h36m17) {
      let tolerance = ["pelvis", "upper_leg", "lower_leg"].contains(pair.name) ? 0.03 : 0.10
      #expect(
        pair.absoluteRelativeDifference < tolerance,
        "\(clip.file) \(pair.name): \(pair.left) vs \(pair.right)")
    }

    // Upright (Y up) and not mirrored: in the median pose the head top is above the pelvis, the pelvis
    // above the ankles, and the left hip lies on the body's left, (up × forward) with forward from the
    // left ankle to the left toe.
    let median = try PoseMetrics.medianPose(poses)
    #expect(
      median[10].y > median[0].y + 0.4 && median[0].y > median[3].y + 0.5, "\(clip.file) is not upright")
    let toe = try #require(bvh.index(of: clip.leftToe))
    let foot = try #require(bvh.index(of: clip.leftFoot))
    let mask = bvh.ancestorMask(of: [toe, foot])
    var leftScores: [Double] = []
    for (k, f) in frames.enumerated() {
      let (p, _) = bvh.worldTransforms(frame: f, unit: unit, mask: mask)
      var forward = p[toe] - p[foot]
      forward.y = 0
      let left = Vec3(0, 1, 0).cross(forward)
      leftScores.append((poses[k][4] - poses[k][1]).dot(left))
    }
    let positive = leftScores.filter { $0 > 0 }.count
    #expect(Double(positive) > 0.9 * Double(leftScores.count), "\(clip.file): left and right look swapped")
  }

  @Test func unitIsAParameter() throws {
    let bvh = try BVH.read(path: try mocapPath("cmu-131/131_01.bvh"))
    let inCMU = try JointMap.cmu131.poses(from: bvh)
    let inMetresPerUnit = try JointMap.cmu131.poses(from: bvh, unit: .metre)
    let a = try PoseMetrics.boneLengths(inCMU[0], skeleton: .h36m17)
    let b = try PoseMetrics.boneLengths(inMetresPerUnit[0], skeleton: .h36m17)
    for (x, y) in zip(a, b) { #expect(abs(x - 0.056444 * y) < 1e-12) }
  }
}
