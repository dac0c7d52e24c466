// PoseCoreTests: bone-length projection (directions kept, lengths hit exactly), robust subject-length
// estimation on noisy synthetic sequences, bone-length files, direction smoothing without length drift.

import Foundation
import PoseCore
import PoseScopeTestSupport
import Testing

/// A plausible standing H36M-17 pose (metres, y down) with known lengths.
private func standingPose() -> [Vec3] {
  var p = [Vec3](repeating: .zero, count: 17)
  p[1] = Vec3(-0.13, 0, 0)
  p[2] = Vec3(-0.14, 0.44, 0.02)
  p[3] = Vec3(-0.15, 0.88, 0.05)
  p[4] = Vec3(0.13, 0, 0)
  p[5] = Vec3(0.14, 0.44, 0.02)
  p[6] = Vec3(0.15, 0.88, 0.05)
  p[7] = Vec3(0, -0.23, 0.01)
  p[8] = Vec3(0, -0.48, 0)
  p[9] = Vec3(0, -0.58, -0.08)
  p[10] = Vec3(0, -0.70, 0)
  p[11] = Vec3(0.16, -0.47, 0)
  p[12] = Vec3(0.20, -0.20, 0.05)
  p[13] = Vec3(0.22, 0.04, -0.05)
  p[14] = Vec3(-0.16, -0.47, 0)
  p[15] = Vec3(-0.20, -0.20, 0.05)
  p[16] = Vec3(-0.22, 0.04, -0.05)
  return p
}

private func gaussian(_ rng: inout SeededRandom) -> Double {
  let u = Double.random(in: Double.ulpOfOne..<1, using: &rng)
  let v = Double.random(in: 0..<1, using: &rng)
  return (-2 * log(u)).squareRoot() * cos(2 * Double.pi * v)
}

@Test func projectionKeepsDirectionsAndHitsLengthsExactly() throws {
  var rng = SeededRandom(seed: 5)
  for _ in 0..<200 {
    let pose = (0..<17).map { _ in randomVec3(&rng) }
    let lengths = (0..<16).map { _ in Double.random(in: 0.05...0.6, using: &rng) }
    let out = try BoneLengthProjection.project(pose, lengths: lengths)
    let got = try PoseMetrics.boneLengths(out, skeleton: H36M17.skeleton)
    for k in 0..<16 { #expect(abs(got[k] - lengths[k]) < 1e-12) }
    #expect(out[0] == pose[0])
    let before = BoneLengthProjection.directions(pose)
    let after = BoneLengthProjection.directions(out)
    for k in 0..<16 {
      let a = try #require(before[k])
      let b = try #require(after[k])
      #expect((a - b).norm < 1e-12)
    }
  }
  // A pose already at the lengths is unchanged.
  let pose = standingPose()
  let lengths = try PoseMetrics.boneLengths(pose, skeleton: H36M17.skeleton)
  let same = try BoneLengthProjection.project(pose, lengths: lengths)
  for (a, b) in zip(same, pose) { #expect(a.distance(to: b) < 1e-12) }
}

@Test func projectionHandlesDegenerateBonesAndBadInput() throws {
  var pose = standingPose()
  pose[12] = pose[11]  // zero-length upper arm
  let lengths = [Double](repeating: 0.3, count: 16)
  let out = try BoneLengthProjection.project(pose, lengths: lengths)
  #expect(out.allSatisfy { $0.x.isFinite && $0.y.isFinite && $0.z.isFinite })
  #expect(abs(out[12].distance(to: out[11]) - 0.3) < 1e-12)
  // With a fallback pose the direction comes from it.
  let fallback = standingPose()
  let withFallback = try BoneLengthProjection.project(pose, lengths: lengths, fallback: fallback)
  let expected = try #require((fallback[12] - fallback[11]).normalized)
  #expect(((withFallback[12] - withFallback[11]) / 0.3 - expected).norm < 1e-12)

  #expect(throws: PoseCoreError.self) { try BoneLengthProjection.project(pose, lengths: [0.3]) }
  #expect(throws: PoseCoreError.self) {
    try BoneLengthProjection.project(Array(pose.prefix(5)), lengths: lengths)
  }
  var bad = lengths
  bad[3] = .nan
  #expect(throws: PoseCoreError.self) { try BoneLengthProjection.project(pose, lengths: bad) }
  bad[3] = -1
  #expect(throws: PoseCoreError.self) { try BoneLengthProjection.project(pose, lengths: bad) }
}

@Test func buildInvertsDirections() throws {
  let pose = standingPose()
  let lengths = try PoseMetrics.boneLengths(pose, skeleton: H36M17.skeleton)
  let rebuilt = try BoneLengthProjection.build(
    root: pose[0], directions: BoneLengthProjection.directions(pose), lengths: lengths)
  for (a, b) in zip(rebuilt, pose) { #expect(a.distance(to: b) < 1e-12) }
}

/// Noisy synthetic sequence: the true skeleton rotated frame by frame, each joint with Gaussian noise,
/// a few frames with a grossly wrong joint.
private func noisySequence(
  truth: [Double], frames: Int, noise: Double, outlierRate: Double, seed: UInt64
) throws -> (poses: [[Vec3]?], weights: [[Double]?]) {
  var rng = SeededRandom(seed: seed)
  let base = try BoneLengthProjection.project(standingPose(), lengths: truth)
  var poses: [[Vec3]?] = []
  var weights: [[Double]?] = []
  for f in 0..<frames {
    if f % 17 == 3 {
      poses.append(nil)  // no person
      weights.append(nil)
      continue
    }
    let r = randomRotation(&rng)
    var pose = base.map { r * $0 }
    var w = [Double](repeating: 1, count: 17)
    for j in 1..<17 {
      pose[j] += noise * Vec3(gaussian(&rng), gaussian(&rng), gaussian(&rng))
      if Double.random(in: 0..<1, using: &rng) < outlierRate {
        pose[j] += 0.3 * randomVec3(&rng)
        w[j] = Double.random(in: 0.0...0.3, using: &rng)  // detectors are usually less sure of these
      }
    }
    poses.append(pose)
    weights.append(w)
  }
  return (poses, weights)
}

@Test func subjectLengthsRecoverKnownLengthsFromNoisySequences() throws {
  // Stated tolerance: within 5 mm per bone for 1 cm joint noise and 5 % outlier joints over 300 frames.
  let truth = try PoseMetrics.boneLengths(standingPose(), skeleton: H36M17.skeleton)
  let (poses, weights) = try noisySequence(truth: truth, frames: 300, noise: 0.01, outlierRate: 0.05, seed: 9)
  let estimated = try SubjectBoneLengths.estimate(frames: poses, jointWeights: weights)
  #expect(estimated.source.contains("frames"))
  for k in 0..<16 {
    #expect(abs(estimated.lengths[k] - truth[k]) < 0.005, "bone \(H36M17.boneNames[k])")
  }
  // Left and right are tied by default.
  for pair in H36M17.bonePairs {
    #expect(estimated.lengths[pair.left] == estimated.lengths[pair.right])
  }
  // The plain mean of the same data is pulled away by the outliers and the noise (what robustness buys).
  let stats = try BoneLengthStatistics(poses: poses.compactMap { $0 }, skeleton: H36M17.skeleton)
  let meanError = zip(stats.mean, truth).map { abs($0 - $1) }.max() ?? 0
  let robustError = zip(estimated.lengths, truth).map { abs($0 - $1) }.max() ?? 0
  #expect(robustError < meanError)
  // Untied: each side on its own.
  let untied = try SubjectBoneLengths.estimate(
    frames: poses, jointWeights: weights, options: .init(tieLeftRight: false))
  for k in 0..<16 { #expect(abs(untied.lengths[k] - truth[k]) < 0.008) }
}

@Test func subjectLengthsNeedSamplesOfEveryBone() throws {
  #expect(throws: PoseCoreError.self) { try SubjectBoneLengths.estimate(frames: [nil, nil]) }
  let pose = standingPose()
  // Weight 0 on the left wrist removes every left_forearm sample; tied to the right it is still found.
  var w = [Double](repeating: 1, count: 17)
  w[13] = 0
  let tied = try SubjectBoneLengths.estimate(frames: [pose], jointWeights: [w])
  #expect(tied.lengths[12] > 0)
  #expect(throws: PoseCoreError.self) {
    try SubjectBoneLengths.estimate(frames: [pose], jointWeights: [w], options: .init(tieLeftRight: false))
  }
}

@Test func subjectLengthsFromAHeight() throws {
  let h = try SubjectBoneLengths.fromHeight(1.78)
  #expect(h.lengths == Anthropometry.referenceBoneLengths(height: 1.78))
  #expect(throws: BoneLengthFileError.self) { try SubjectBoneLengths.fromHeight(17.8) }
  #expect(throws: BoneLengthFileError.self) { try SubjectBoneLengths.fromHeight(.nan) }
}

@Test(arguments: [(1.5, 0.5, 0.6), (1.0, 20.0, 0.9)])
func directionSmoothingReducesJitterAndKeepsLengths(minCutoff: Double, beta: Double, bound: Double) throws {
  // Strong smoothing (low β) must remove at least 40 % of the frame-to-frame motion of a slow turn with
  // joint noise, the defaults (β = 20, which keeps fast limbs from lagging) at least 10 %.
  let truth = try PoseMetrics.boneLengths(standingPose(), skeleton: H36M17.skeleton)
  var rng = SeededRandom(seed: 3)
  var smoother = BoneDirectionSmoother(minCutoff: minCutoff, beta: beta)
  var rawJitter = 0.0
  var smoothJitter = 0.0
  var previousRaw: [Vec3]?
  var previousSmooth: [Vec3]?
  for f in 0..<120 {
    // A slow turn about the vertical axis, with 1.5 cm joint noise.
    let r = Mat3.rotation(axis: Vec3(0, 1, 0), angle: Double(f) * 0.01)
    var pose = standingPose().map { r * $0 }
    for j in 1..<17 { pose[j] += 0.015 * Vec3(gaussian(&rng), gaussian(&rng), gaussian(&rng)) }
    let raw = try BoneLengthProjection.project(pose, lengths: truth)
    let smooth = try smoother.smooth(pose, lengths: truth, time: Double(f) / 30)
    let lengths = try PoseMetrics.boneLengths(smooth, skeleton: H36M17.skeleton)
    for k in 0..<16 { #expect(abs(lengths[k] - truth[k]) < 1e-12) }
    if let pr = previousRaw, let ps = previousSmooth {
      rawJitter += zip(raw, pr).map { $0.distance(to: $1) }.reduce(0, +)
      smoothJitter += zip(smooth, ps).map { $0.distance(to: $1) }.reduce(0, +)
    }
    previousRaw = raw
    previousSmooth = smooth
  }
  #expect(
    smoothJitter < bound * rawJitter, "frame-to-frame motion raw \(rawJitter) vs smoothed \(smoothJitter)")
  smoother.reset()
  let first = try smoother.smooth(standingPose(), lengths: truth, time: 0)
  for (a, b) in zip(first, try BoneLengthProjection.project(standingPose(), lengths: truth)) {
    #expect(a.distance(to: b) < 1e-12)
  }
}
