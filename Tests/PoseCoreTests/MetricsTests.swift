// PoseCoreTests: MPJPE, PA-MPJPE, bone lengths, bone-length error, asymmetry, sequence statistics.

import PoseCore
import PoseScopeTestSupport
import Testing

@Test func mpjpeAndPAMPJPE() throws {
  let a = [Vec3(0, 0, 0), Vec3(1, 0, 0), Vec3(0, 2, 0)]
  let b = [Vec3(0, 0, 3), Vec3(1, 0, 0), Vec3(0, 2, 4)]
  #expect(try PoseMetrics.mpjpe(a, b) == 7.0 / 3.0)
  #expect(try PoseMetrics.mpjpe(a, a) == 0)
  // Root-aligned: subtracting joint 0 from both.
  #expect(abs(try PoseMetrics.rootAlignedMPJPE(a, b) - (0 + 3 + 1) / 3.0) < 1e-15)

  var rng = SeededRandom(seed: 11)
  for _ in 0..<50 {
    let target = (0..<17).map { _ in randomVec3(&rng) }
    let noisy = target.map { $0 + 0.05 * randomVec3(&rng) }
    let transformed = SimilarityTransform(
      rotation: randomRotation(&rng), scale: 1.3, translation: randomVec3(&rng)
    ).apply(noisy)
    let pa = try PoseMetrics.paMPJPE(transformed, target)
    let plain = try PoseMetrics.mpjpe(transformed, target)
    let untransformed = try PoseMetrics.mpjpe(noisy, target)
    #expect(pa <= plain)
    #expect(pa <= untransformed + 1e-12)
    #expect(pa > 0)
  }
  #expect(throws: PoseCoreError.self) { try PoseMetrics.mpjpe(a, Array(b.prefix(2))) }
  #expect(throws: PoseCoreError.self) { try PoseMetrics.mpjpe([], []) }
  #expect(throws: PoseCoreError.self) { try PoseMetrics.rootAlignedMPJPE(a, b, root: 3) }
}

@Test func rootRelative() throws {
  let points = [Vec2(1, 2), Vec2(4, 6)]
  #expect(try PoseMetrics.rootRelative(points) == [Vec2(0, 0), Vec2(3, 4)])
  #expect(try PoseMetrics.rootRelative(points, root: 1) == [Vec2(-3, -4), Vec2(0, 0)])
  #expect(throws: PoseCoreError.indexOutOfRange(what: "root joint", index: 2, count: 2)) {
    try PoseMetrics.rootRelative(points, root: 2)
  }
}

@Test func boneLengthsOfKnownPose() throws {
  let h = try BlazePoseToH36M.map(blazeTPose())
  let lengths = try PoseMetrics.boneLengths(h, skeleton: .h36m17)
  let neck = (0.15 * 0.15 + 0.1 * 0.1).squareRoot()  // thorax (0,-0.45,0) → nose (0,-0.6,-0.1)
  let head = (0.146 * 0.146 + 0.1 * 0.1).squareRoot()  // nose → head top (0,-0.746,0)
  let expected = [
    0.10, 0.42, 0.42, 0.10, 0.42, 0.42, 0.225, 0.225, neck, head, 0.18, 0.28, 0.26, 0.18, 0.28, 0.26,
  ]
  #expect(lengths.count == 16)
  for (i, (l, e)) in zip(lengths, expected).enumerated() {
    #expect(abs(l - e) < 1e-12, "bone \(H36M17.boneNames[i])")
  }
  // BlazePose skeleton works too: shoulder→elbow is 0.28.
  let blazeLengths = try PoseMetrics.boneLengths(blazeTPose(), skeleton: .blazePose33)
  let index = try #require(Skeleton.blazePose33.boneIndex(named: "left_shoulder-left_elbow"))
  #expect(abs(blazeLengths[index] - 0.28) < 1e-12)
  // 2D input.
  let lengths2 = try PoseMetrics.boneLengths(h.map { Vec2($0.x, $0.y) }, skeleton: .h36m17)
  #expect(abs(lengths2[1] - 0.42) < 1e-12)
  #expect(throws: PoseCoreError.self) { try PoseMetrics.boneLengths(Array(h.prefix(16)), skeleton: .h36m17) }
}

@Test func boneLengthErrorAgainstReference() throws {
  let err = try BoneLengthError(lengths: [1.1, 0.9, 2.0, 0.25], reference: [1, 1, 2, 0.5])
  let signed: [Double] = [0.1, -0.1, 0, -0.25]
  for (s, e) in zip(err.signed, signed) { #expect(abs(s - e) < 1e-12) }
  #expect(abs(err.maxAbsolute - 0.25) < 1e-12)
  #expect(abs(err.meanAbsolute - 0.45 / 4) < 1e-12)
  #expect(abs(err.percent[3] - 50) < 1e-12 && abs(err.percent[0] - 10) < 1e-9)
  #expect(abs(err.maxPercent - 50) < 1e-12)
  #expect(abs(err.meanPercent - 70.0 / 4) < 1e-9)
  #expect(throws: PoseCoreError.self) { try BoneLengthError(lengths: [1], reference: [1, 2]) }
  #expect(throws: PoseCoreError.self) { try BoneLengthError(lengths: [1], reference: [0]) }
  #expect(throws: PoseCoreError.self) { try BoneLengthError(lengths: [1], reference: [.nan]) }
}

@Test func asymmetrySignsAndValues() throws {
  var lengths = Anthropometry.referenceBoneLengths(height: 1.75)
  lengths[H36M17.BoneID.leftUpperLeg.rawValue] = 0.45
  lengths[H36M17.BoneID.rightUpperLeg.rawValue] = 0.40
  lengths[H36M17.BoneID.leftForearm.rawValue] = 0.24
  lengths[H36M17.BoneID.rightForearm.rawValue] = 0.26
  let asym = try PoseMetrics.asymmetry(lengths: lengths, skeleton: .h36m17)
  #expect(asym.map(\.name) == ["pelvis", "upper_leg", "lower_leg", "clavicle", "upper_arm", "forearm"])
  let leg = asym[1]
  #expect(leg.left == 0.45 && leg.right == 0.40)
  #expect(abs(leg.difference - 0.05) < 1e-15)
  #expect(abs(leg.relativeDifference - 0.05 / 0.425) < 1e-15)
  let arm = asym[5]
  #expect(abs(arm.difference + 0.02) < 1e-15)
  #expect(abs(arm.absoluteDifference - 0.02) < 1e-15)
  #expect(abs(arm.relativeDifference + 0.02 / 0.25) < 1e-15)
  #expect(abs(arm.absoluteRelativeDifference - 0.08) < 1e-15)
  #expect(asym[2].difference == 0)  // reference table is symmetric
  #expect(BoneAsymmetry(name: "x", left: 0, right: 0).relativeDifference == 0)
  #expect(throws: PoseCoreError.self) { try PoseMetrics.asymmetry(lengths: [1], skeleton: .h36m17) }
}

@Test func sequenceStatistics() throws {
  let constant = try BoneLengthStatistics(frames: Array(repeating: [0.3, 0.42], count: 10))
  #expect(constant.standardDeviation == [0, 0])
  #expect(constant.mean == [0.3, 0.42] && constant.median == [0.3, 0.42] && constant.count == [10, 10])

  // Bone 0: 2, 4, 4, 4, 5, 5, 7, 9 → mean 5, population std 2, median 4.5.
  // Bone 1: 1, 2, 3, NaN, … → only finite values count.
  let b0: [Double] = [2, 4, 4, 4, 5, 5, 7, 9]
  let b1: [Double] = [1, .nan, 3, 2, .infinity, 10, 4, .nan]
  let stats = try BoneLengthStatistics(frames: zip(b0, b1).map { [$0, $1] })
  #expect(stats.mean[0] == 5 && stats.standardDeviation[0] == 2 && stats.median[0] == 4.5)
  #expect(stats.count == [8, 5])
  // 1, 3, 2, 10, 4: mean 4, variance (9+1+4+36+0)/5 = 10, median 3.
  #expect(stats.mean[1] == 4 && abs(stats.standardDeviation[1] - 10.0.squareRoot()) < 1e-15)
  #expect(stats.median[1] == 3)
  #expect(stats.coefficientOfVariation[0] == 0.4)

  let allNaN = try BoneLengthStatistics(frames: [[.nan], [.nan]])
  #expect(allNaN.mean[0].isNaN && allNaN.count == [0])
  #expect(throws: PoseCoreError.self) { try BoneLengthStatistics(frames: []) }
  #expect(throws: PoseCoreError.self) { try BoneLengthStatistics(frames: [[1, 2], [1]]) }

  // From poses: a rigid motion of one pose keeps every bone length constant.
  let pose = try BlazePoseToH36M.map(blazeTPose())
  var rng = SeededRandom(seed: 12)
  let poses = (0..<20).map { _ in rotate(pose, by: randomRotation(&rng), about: randomVec3(&rng)) }
  let poseStats = try BoneLengthStatistics(poses: poses, skeleton: .h36m17)
  #expect(poseStats.standardDeviation.allSatisfy { $0 < 1e-12 })
  #expect(abs(poseStats.mean[1] - 0.42) < 1e-12)
}

@Test func medians() throws {
  #expect(PoseMetrics.median([3, 1, 2]) == 2)
  #expect(PoseMetrics.median([4, 1, 3, 2]) == 2.5)
  #expect(PoseMetrics.median([.nan, 5]) == 5)
  #expect(PoseMetrics.median([]) == nil)
  let frames = [
    [Vec3(0, 0, 0), Vec3(1, 1, 1)], [Vec3(1, 2, 3), Vec3(9, 9, 9)], [Vec3(2, -1, 1), Vec3(1, 2, 3)],
  ]
  let m = try PoseMetrics.medianPose(frames)
  #expect(m == [Vec3(1, 0, 1), Vec3(1, 2, 3)])
  #expect(throws: PoseCoreError.self) { try PoseMetrics.medianPose([]) }
  #expect(throws: PoseCoreError.self) { try PoseMetrics.medianPose([[.zero], []]) }
}

@Test func anthropometricReference() {
  let ref = Anthropometry.referenceBoneLengths(height: 1.75)
  #expect(ref.count == H36M17.bones.count)
  #expect(abs(ref[H36M17.BoneID.rightUpperLeg.rawValue] - 0.245 * 1.75) < 1e-15)
  #expect(abs(ref[H36M17.BoneID.leftUpperArm.rawValue] - 0.186 * 1.75) < 1e-15)
  #expect(abs(ref[H36M17.BoneID.leftForearm.rawValue] - 0.146 * 1.75) < 1e-15)
  #expect(abs(ref[H36M17.BoneID.rightLowerLeg.rawValue] - 0.246 * 1.75) < 1e-15)
  for pair in H36M17.bonePairs { #expect(ref[pair.left] == ref[pair.right]) }
  // Vertical chain pelvis → head top sums to (1 − 0.530) H: the hip-joint height is 0.530 H.
  let up: [H36M17.BoneID] = [.spineLower, .spineUpper, .neck, .head]
  let trunk = up.map { Anthropometry.h36mBoneFractions[$0.rawValue] }.reduce(0, +)
  #expect(abs(trunk - 0.470) < 1e-12)
  #expect(ref.allSatisfy { $0 > 0 })
}
