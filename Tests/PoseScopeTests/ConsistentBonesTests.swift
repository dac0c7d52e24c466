// PoseEstimationTests: bone-length-consistent sequences — lengths estimated or given, exact in every
// frame, the adjuster used when it works and skipped when it fails, frames without a person kept empty.

import Foundation
import PoseScope
import PoseScopeTestSupport
import Testing

@Suite struct ConsistentBonesTests {
  /// A standing H36M-17 pose (metres, y down), then turned by `angle` about the vertical and moved.
  func pose(angle: Double, offset: Vec3, jitter: Double, seed: inout UInt64) -> [Vec3] {
    let base: [Vec3] = [
      Vec3(0, 0, 0), Vec3(-0.13, 0, 0), Vec3(-0.14, 0.44, 0.02), Vec3(-0.15, 0.88, 0.05), Vec3(0.13, 0, 0),
      Vec3(0.14, 0.44, 0.02), Vec3(0.15, 0.88, 0.05), Vec3(0, -0.23, 0.01), Vec3(0, -0.48, 0),
      Vec3(0, -0.58, -0.08), Vec3(0, -0.70, 0), Vec3(0.16, -0.47, 0), Vec3(0.20, -0.20, 0.05),
      Vec3(0.22, 0.04, -0.05), Vec3(-0.16, -0.47, 0), Vec3(-0.20, -0.20, 0.05), Vec3(-0.22, 0.04, -0.05),
    ]
    func noise() -> Double {
      seed = seed &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
      return (Double(seed >> 11) / Double(1 << 53) - 0.5) * 2 * jitter
    }
    let r = Mat3.rotation(axis: Vec3(0, 1, 0), angle: angle)
    return base.enumerated().map { j, p in r * p + offset + (j == 0 ? .zero : Vec3(noise(), noise(), noise()))
    }
  }

  @Test func everyFrameGetsTheEstimatedLengthsExactly() throws {
    var seed: UInt64 = 1
    var frames: [[Vec3]?] = (0..<60).map { i in
      pose(angle: Double(i) * 0.05, offset: Vec3(0.01 * Double(i), 0, 2), jitter: 0.02, seed: &seed)
    }
    frames[10] = nil
    frames[11] = [Vec3](repeating: .zero, count: 5)  // malformed: skipped, not a crash
    let raw = try BoneLengthStatistics(
      poses: frames.compactMap { $0?.count == 17 ? $0 : nil }, skeleton: .h36m17)
    #expect(raw.standardDeviation.max()! > 0.005)
    let made = try ConsistentBones.sequence(frames)
    #expect(made.method == .projection)
    #expect(made.lengths.source == "estimated from 58 frames")
    #expect(made.poses[10] == nil && made.poses[11] == nil)
    for (i, p) in made.poses.enumerated() {
      guard let p else { continue }
      let l = try PoseMetrics.boneLengths(p, skeleton: .h36m17)
      for k in 0..<16 { #expect(abs(l[k] - made.lengths.lengths[k]) < 1e-12) }
      // The root stays where the frame put it; the shape stays close to the frame's.
      #expect(p[0] == frames[i]![0])
      #expect(try PoseMetrics.mpjpe(p, frames[i]!) < 0.05)
    }
    // Smoothing keeps lengths exact too.
    let smoothed = try ConsistentBones.sequence(frames, smooth: true)
    for p in smoothed.poses.compactMap({ $0 }) {
      let l = try PoseMetrics.boneLengths(p, skeleton: .h36m17)
      for k in 0..<16 { #expect(abs(l[k] - smoothed.lengths.lengths[k]) < 1e-12) }
    }
  }

  @Test func givenLengthsAndTheAdjusterAreUsed() throws {
    var seed: UInt64 = 2
    let frames: [[Vec3]?] = (0..<10).map { i in
      pose(angle: Double(i) * 0.1, offset: Vec3(0, 0, 3), jitter: 0.01, seed: &seed)
    }
    let given = try SubjectBoneLengths.fromHeight(1.80)
    // An adjuster that records it saw root-relative poses and returns them unchanged.
    let calls = Counter()
    let adjuster: BoneAdjuster = { joints, lengths in
      calls.add(joints[0] == .zero && lengths.count == 16 ? 1 : 1000)
      return joints
    }
    let made = try ConsistentBones.sequence(frames, lengths: given, adjuster: adjuster)
    #expect(made.method == .dcmAndProjection)
    #expect(calls.value == 10)
    #expect(made.lengths == given)
    for p in made.poses.compactMap({ $0 }) {
      let l = try PoseMetrics.boneLengths(p, skeleton: .h36m17)
      for k in 0..<16 { #expect(abs(l[k] - given.lengths[k]) < 1e-12) }
    }
    // An adjuster that fails (nil, NaN, wrong count) falls back to the projection alone.
    let broken: [BoneAdjuster] = [
      { _, _ in nil }, { j, _ in j.map { _ in Vec3(.nan, 0, 0) } }, { j, _ in Array(j.prefix(3)) },
    ]
    for b in broken {
      let r = try ConsistentBones.sequence(frames, lengths: given, adjuster: b)
      #expect(r.method == .projection)
      #expect(r.poses.allSatisfy { $0 != nil })
    }
    // No usable frame and no given lengths: a clear error.
    #expect(throws: PoseCoreError.self) { try ConsistentBones.sequence([nil, nil]) }
  }
}

/// A thread-safe counter for the @Sendable adjuster.
final class Counter: @unchecked Sendable {
  private let lock = NSLock()
  private var count = 0
  var value: Int { lock.withLock { count } }
  func add(_ n: Int) { lock.withLock { count += n } }
}
