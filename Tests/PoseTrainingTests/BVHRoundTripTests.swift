// PoseTrainingTests: PoseCore's BVHWriter read back by PoseTraining's BVH reader — forward kinematics of
// the written file reproduces the H36M-17 joints it was written from, in every unit.
//
// Fixture `Fixtures/sports2d_estimate_20.json`: `posescope estimate` (release build, shipped lifter found
// automatically, tracking mode) on a folder of symlinks to Sports2D demo frames frame_0101.jpg …
// frame_0120.jpg (`scripts/fetch-assets.sh samples`); then, with a few lines of Python, `landmarks` and
// `world_landmarks` were removed (size), `file` became `sports2d/<name>` and `sequence` `sports2d`. Every
// other key and value is as `estimate` wrote it (schema 1; 20 frames, all with a person).

import Foundation
import PoseCore
import PoseFormats
import PoseScopeTestSupport
import Testing

@testable import PoseTraining

/// The H36M-17 joints (PoseScope camera frame, metres) that a BVH file's forward kinematics puts on the
/// nodes of `BVHWriter.h36mNodeNames`.
func bvhJoints(_ bvh: BVH, frame: Int, unit: BVHUnit) throws -> [Vec3] {
  let positions = bvh.worldTransforms(frame: frame, unit: unit).positions
  return try BVHWriter.h36mNodeNames.map { name in
    let node = try #require(bvh.index(of: name), "BVH has no node \(name)")
    return BVHWriter.toBVHSpace(positions[node])
  }
}

/// Largest joint distance (metres) between the poses and the file's frames.
func largestError(_ bvh: BVH, _ poses: [[Vec3]], unit: BVHUnit) throws -> Double {
  try poses.enumerated().map { f, pose in largestDistance(try bvhJoints(bvh, frame: f, unit: unit), pose) }
    .max() ?? 0
}

@Suite struct BVHRoundTripTests {
  static let lengths: [Double] = [
    0.12, 0.45, 0.42, 0.12, 0.45, 0.42, 0.23, 0.25, 0.1, 0.13, 0.16, 0.29, 0.26, 0.16, 0.29, 0.26,
  ]

  /// Poses with `lengths` and uniformly random bone directions, the root wandering a few metres.
  static func randomSequence(count: Int, seed: UInt64) -> [[Vec3]] {
    var rng = SeededRandom(seed: seed)
    func unit() -> Vec3 {
      while true {
        let v = Vec3(
          Double.random(in: -1...1, using: &rng), Double.random(in: -1...1, using: &rng),
          Double.random(in: -1...1, using: &rng))
        if v.norm > 0.05 && v.norm <= 1 { return v / v.norm }
      }
    }
    return (0..<count).map { _ in
      var p = [Vec3](repeating: .zero, count: H36M17.count)
      p[0] = Vec3(
        Double.random(in: -2...2, using: &rng), Double.random(in: -1...1, using: &rng),
        Double.random(in: 1...6, using: &rng))
      for (k, bone) in H36M17.bones.enumerated() { p[bone.child] = p[bone.parent] + lengths[k] * unit() }
      return p
    }
  }

  @Test(arguments: [
    BVHUnit.centimetre, .metre, .millimetre,
  ])
  func randomDirectionsComeBackWithinAMicrometre(unit: BVHUnit) throws {
    let poses = Self.randomSequence(count: 300, seed: 42)
    let text = try BVHWriter.write(
      frames: poses, lengths: Self.lengths, frameTime: 1.0 / 25, unit: unit)
    let bvh = try BVH(text: text)
    #expect(bvh.frameCount == 300 && abs(bvh.frameTime - 0.04) < 1e-12)
    #expect(bvh.channelCount == BVHWriter.channelCount)
    #expect(bvh.nodes.count == BVHWriter.joints.count + 5)
    let error = try largestError(bvh, poses, unit: unit)
    #expect(error < 1e-5, "largest joint error \(error * 1000) mm")
  }

  @Test func restOffsetsAreTheBoneLengths() throws {
    let text = try BVHWriter.write(
      frames: [nil], lengths: Self.lengths, frameTime: 1.0 / 30, unit: .centimetre)
    let bvh = try BVH(text: text)
    let rest = try bvhJoints(bvh, frame: 0, unit: .centimetre)
    for (k, bone) in H36M17.bones.enumerated() {
      #expect(abs(rest[bone.child].distance(to: rest[bone.parent]) - Self.lengths[k]) < 1e-9)
    }
    // T-pose in BVH space: feet down (−Y), head up, left wrist at +X.
    let up = rest.map(BVHWriter.toBVHSpace)
    #expect(up[H36M17.leftAnkle.rawValue].y < -0.8 && up[H36M17.headTop.rawValue].y > 0.65)
    #expect(up[H36M17.leftWrist.rawValue].x > 0.6)
  }

  /// The `lifted_h36m17` of each fixture frame (nil when absent).
  static func fixtureLifted() throws -> [[Vec3]?] {
    let data = try Data(contentsOf: URL(fileURLWithPath: try fixturePath("sports2d_estimate_20.json")))
    let document = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
    #expect(document["schema"] as? Int == 1)
    let frames = try #require(document["frames"] as? [[String: Any]])
    return frames.map { frame -> [Vec3]? in
      guard let rows = frame["lifted_h36m17"] as? [[Double]], rows.count == 17 else { return nil }
      return rows.map { Vec3($0[0], $0[1], $0[2]) }
    }
  }

  @Test func realLiftedSequenceComesBackWithinAMillimetre() throws {
    let lifted = try Self.fixtureLifted()
    #expect(lifted.count == 20 && lifted.allSatisfy { $0 != nil })
    let subject = try SubjectBoneLengths.estimate(frames: lifted)
    let projected = try lifted.compactMap { $0 }.map {
      try BoneLengthProjection.project($0, lengths: subject.lengths)
    }
    // The lifter's lengths vary per frame, so the projection really moves joints.
    let moved =
      zip(lifted.compactMap { $0 }, projected).map { a, b in
        zip(a, b).map { $0.distance(to: $1) }.max() ?? 0
      }.max() ?? 0
    #expect(moved > 0.002, "projection moved joints by at most \(moved * 1000) mm")
    for unit in [BVHUnit.centimetre, .millimetre] {
      let text = try BVHWriter.write(
        frames: projected, lengths: subject.lengths, frameTime: 1.0 / 30, unit: unit)
      let bvh = try BVH(text: text)
      let error = try largestError(bvh, projected, unit: unit)
      #expect(error < 0.001, "largest joint error \(error * 1000) mm")
      #expect(error < 1e-5, "the number format keeps 0.01 mm: \(error * 1000) mm")
    }
  }

  @Test func framesWithoutAPersonReadBackAsTheHeldPose() throws {
    let poses = Self.randomSequence(count: 3, seed: 7)
    let text = try BVHWriter.write(
      frames: [nil, poses[0], nil, poses[1], nil], lengths: Self.lengths, frameTime: 0.02, unit: .centimetre)
    let bvh = try BVH(text: text)
    #expect(bvh.frameCount == 5)
    let rest = try BVHWriter.restPose(lengths: Self.lengths).map(BVHWriter.toBVHSpace)
    #expect(try largestError(bvh, [rest], unit: .centimetre) < 1e-5)
    let expected = [rest, poses[0], poses[0], poses[1], poses[1]]
    #expect(try largestError(bvh, expected, unit: .centimetre) < 1e-5)
  }
}
