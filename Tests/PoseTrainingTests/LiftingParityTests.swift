// PoseTrainingTests: PoseLifting's `Lifter` against training's layers — the shipped supervised lifter, a
// K = 2 lifter trained and exported here, and the shipped unsupervised lifter, on random mocap-like poses
// seen by random cameras: lifts and DCM adjustments agree within 1e-5 m.

import Foundation
import PoseCore
import PoseLifting
import PoseScopeTestSupport
import Testing

@testable import PoseTraining

@Suite struct LiftingParityTests {
  /// Largest allowed difference (m).
  let tolerance = 1e-5

  /// `count` random articulated poses, each seen by a random virtual camera: the 17 image points (pixels,
  /// principal point (640, 360)) and the true bone lengths (m).
  func views(_ count: Int, seed: UInt64) throws -> [(points: [Vec2], lengths: [Double])] {
    let generator = try SampleGenerator(camera: VirtualCameraConfig(), augmentation: AugmentationConfig())
    var rng = Xoshiro256(seed: seed &+ 1)
    return syntheticPoses(count, seed: seed).map { pose in
      let camera = generator.randomCamera(looking: pose[0], &rng)
      let points = pose.map { p -> Vec2 in
        let c = camera.rotation * (p - camera.centre)
        return Vec2(640 + camera.focal * c.x / c.z, 360 + camera.focal * c.y / c.z)
      }
      return (points, H36M17.bones.map { pose[$0.child].distance(to: pose[$0.parent]) })
    }
  }

  /// The largest coordinate difference between two poses.
  func difference(_ a: [Vec3], _ b: [Vec3]) -> Double {
    #expect(a.count == b.count)
    return zip(a, b).reduce(0.0) { worst, pair in
      let d = pair.0 - pair.1
      return max(worst, abs(d.x), abs(d.y), abs(d.z))
    }
  }

  /// Max |Δ| (m) of `lifter.lift` against `model.lift` and of `lifter.adjust` against `model.adjust` on
  /// `views`; adjustments only when the model has A.
  func compare(_ lifter: Lifter, _ model: LifterModel, _ views: [(points: [Vec2], lengths: [Double])]) throws
    -> (lift: Double, adjust: Double)
  {
    var worst = (lift: 0.0, adjust: 0.0)
    let batch = try lifter.lift(views.map(\.points))
    for (view, batched) in zip(views, batch) {
      let reference = try model.lift(view.points).map { $0 / 1000 }
      worst.lift = max(worst.lift, difference(try lifter.lift(view.points), reference))
      worst.lift = max(worst.lift, difference(batched, reference))
      guard model.adjustment != nil else { continue }
      let adjusted = try model.adjust([reference.map { 1000 * $0 }], lengths: view.lengths.map { 1000 * $0 })[
        0]
      worst.adjust = max(
        worst.adjust,
        difference(try lifter.adjust(reference, lengths: view.lengths), adjusted.map { $0 / 1000 }))
    }
    return worst
  }

  @Test func shippedSupervisedLifterMatchesTrainingLayers() throws {
    let model = try LifterModel.load(path: shippedLifterPath())
    let lifter = try Lifter.load(path: shippedLifterPath())
    let worst = try compare(lifter, model, try views(150, seed: 21))
    print("parity, shipped supervised lifter: max |Δ| lift \(worst.lift) m, adjust \(worst.adjust) m")
    #expect(worst.lift < tolerance && worst.adjust < tolerance, "\(worst)")
    #expect(worst.adjust > 0 || worst.lift > 0)  // two implementations, not one compared with itself
  }

  @Test func exportedLifterWithAdjustmentMatchesTrainingLayers() throws {
    var config = tinyConfig(seed: 9, stages: 2)
    config.network.width = 96  // not a multiple of 32: partial GEMM panels
    let trainer = try AITETrainer(config: config)
    let poses = syntheticPoses(128, seed: 12)
    for t in 0..<8 { trainer.trainStep(try trainer.trainingBatch(step: t, poses: poses)) }
    let dir = try TestFiles.makeTemporaryFolder("poselifting")
    defer { TestFiles.remove(dir) }
    let path = dir + "/lifter.safetensors"
    try LifterModel.export(trainer, to: path)
    let model = try LifterModel.load(path: path)
    #expect(model.adjustment != nil)
    for threads in [1, 2] {
      let lifter = try Lifter.load(path: path, threads: threads)
      #expect(lifter.hasAdjustment)
      let worst = try compare(lifter, model, try views(120, seed: 33))
      print(
        "parity, exported K = 2 lifter (\(threads) threads): max |Δ| lift \(worst.lift) m, adjust \(worst.adjust) m"
      )
      #expect(worst.lift < tolerance && worst.adjust < tolerance, "\(worst)")
    }
    // A training checkpoint of the same run is the same lifter.
    try trainer.saveCheckpoint(to: dir + "/checkpoint.safetensors")
    let fromCheckpoint = try Lifter.load(path: dir + "/checkpoint.safetensors")
    let points = try views(1, seed: 5)[0].points
    #expect(try fromCheckpoint.lift(points) == (try Lifter.load(path: path).lift(points)))
  }

  @Test func shippedUnsupervisedLifterMatchesTrainingLayers() throws {
    let path = shippedLifterPath().replacingOccurrences(
      of: "posescope-lifter-", with: "posescope-unsupervised-")
    let model = try UnsupervisedLifter.load(path: path)
    var worst = 0.0
    for height in [1.7, 1.55] {
      let lifter = try Lifter.load(path: path, height: height)
      let all = try views(150, seed: 44)
      let batch = try lifter.lift(all.map(\.points))
      for (view, batched) in zip(all, batch) {
        let reference = try model.lift(view.points, height: height).map { $0 / 1000 }
        worst = max(
          worst, difference(try lifter.lift(view.points), reference), difference(batched, reference))
      }
    }
    print("parity, shipped unsupervised lifter: max |Δ| lift \(worst) m")
    #expect(worst < tolerance && worst > 0, "\(worst)")
  }
}
