// PoseTrainingTests: the warm start of the unsupervised teacher from a supervised lifter (`train
// --unsupervised --init-lifter <supervised file>`), on real CMU mocap projected to 2D (../shared/mocap):
// the targets keep the supervised 3D shape in the teacher's units, and a short seeded run brings a fresh
// teacher most of the way to them.

import Foundation
import PoseCore
import Testing

@testable import PoseTraining

@Suite struct UnsupervisedWarmStartTests {
  /// 2D projections (one camera per sequence) of a CMU file, with its 3D kept apart as the truth.
  private func projected(_ file: String, stride: Int, seed: UInt64) throws -> ProjectedMocap {
    let dir = try #require(mocapDirectory(), "../shared/mocap is missing")
    let mocap = try PoseDataset.load([dir + "/cmu-iclone/" + file])
    let generator = try SampleGenerator(camera: VirtualCameraConfig(), augmentation: AugmentationConfig())
    return try ProjectedMocap.make(mocap, generator: generator, seed: seed, stride: stride)
  }

  private func poses(_ m: Matrix<Float>) -> [[Vec3]] {
    (0..<m.rows).map { AITETrainer.joints(m, row: $0) }
  }

  /// The targets are the input 2D with the supervised depths rescaled: x, y exactly the input's, and (PA-MPJPE
  /// being scale-free) within a few mm of the supervised poses themselves, far from flat poses.
  @Test func targetsKeepTheSupervisedShapeInTheTeachersUnits() throws {
    let supervised = try LifterModel.load(path: shippedLifterPath())
    let truth = try projected("007_01.bvh", stride: 4, seed: 7).truth
    let targets = UnsupervisedTrainer.supervisedTargets(supervised, inputs: truth.inputs)
    #expect(targets.rows == truth.count && targets.columns == 51)
    var exact = true
    for r in 0..<truth.count {
      for j in 0..<17 {
        exact =
          exact && targets[r, 3 * j] == truth.inputs[r, 2 * j]
          && targets[r, 3 * j + 1] == truth.inputs[r, 2 * j + 1] && targets[r, 3 * j + 2].isFinite
      }
    }
    #expect(exact, "x, y must be the input's and the depths finite")
    let fromTargets = try UnsupervisedMetrics.compute(predictions: poses(targets), truth: truth)
    let fromSupervised = try UnsupervisedMetrics.compute(
      predictions: supervised.poses(truth.inputs), truth: truth)
    let flat = try UnsupervisedMetrics.compute(
      predictions: (0..<truth.count).map { r in
        (0..<17).map { Vec3(Double(truth.inputs[r, 2 * $0]), Double(truth.inputs[r, 2 * $0 + 1]), 0) }
      }, truth: truth)
    #expect(
      fromTargets.paMPJPE < fromSupervised.paMPJPE + 10,
      "targets \(fromTargets.paMPJPE) vs supervised \(fromSupervised.paMPJPE)")
    #expect(
      fromTargets.paMPJPE < 0.7 * flat.paMPJPE, "targets \(fromTargets.paMPJPE) vs flat \(flat.paMPJPE)")
  }

  /// 300 seeded warm-start steps of a small teacher on one training file: the fit falls at least 3× and the
  /// validation PA-MPJPE on subject 7 drops below 0.85× of the fresh teacher's (measured 110.8 → 83.4 mm).
  @Test func shortWarmStartBringsTheTeacherToTheSupervisedPoses() throws {
    let supervised = try LifterModel.load(path: shippedLifterPath())
    var config = smallConfig(width: 128, blocks: 1)
    config.seed = 9
    config.batchSize = 128
    let trainer = try UnsupervisedTrainer(config: config)
    let bank = try Pose2DBank(try projected("001_01.bvh", stride: 1, seed: 3).sequences)
    let truth = try projected("007_01.bvh", stride: 4, seed: 7).truth
    let before = try trainer.evaluate(truth)
    var fits: [Double] = []
    for step in 0..<300 {
      let r = trainer.warmStartStep(bank, from: supervised, step: step)
      #expect(r.fit.isFinite && r.discriminatorLoss.isFinite)
      fits.append(r.fit)
    }
    #expect(trainer.step == 0, "the warm start counts no teacher step")
    let first = fits.prefix(10).reduce(0, +) / 10
    let last = fits.suffix(10).reduce(0, +) / 10
    #expect(last < first / 3, "fit \(first) → \(last)")
    let after = try trainer.evaluate(truth)
    #expect(after.paMPJPE < 0.85 * before.paMPJPE, "PA-MPJPE \(before.paMPJPE) → \(after.paMPJPE)")
  }
}
