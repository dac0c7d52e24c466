// PoseTrainingTests: AITE's adjustment network at inference — training A alone on a frozen P, exporting
// and loading A with the lifter, and the shipped lifter's A on real BlazePose 2D.

import Foundation
import PoseCore
import PoseScopeTestSupport
import Testing

@testable import PoseTraining

@Suite struct ConsistentBonesTrainingTests {
  @Test func frozenPredictorTrainsOnlyTheAdjustmentNetwork() throws {
    let dir = try TestFiles.makeTemporaryFolder("posetraining")
    defer { try? FileManager.default.removeItem(atPath: dir) }
    let poses = syntheticPoses(256, seed: 4)
    // P: a short plain run, exported.
    var plain = tinyConfig(seed: 3, stages: 0)
    plain.distillationWeight = 0
    let p = try AITETrainer(config: plain)
    for t in 0..<40 { p.trainStep(try p.trainingBatch(step: t, poses: poses)) }
    let pPath = dir + "/p.safetensors"
    try LifterModel.export(p, to: pPath)
    let lifter = try LifterModel.load(path: pPath)
    #expect(lifter.adjustment == nil)
    #expect(throws: TrainingError.self) { try lifter.adjust([[Vec3]](), lengths: []) }

    // A alone on the frozen P.
    var config = tinyConfig(seed: 5, stages: 2)
    config.freezePredictor = true
    config.distillationWeight = 0
    config.network = plain.network
    let a = try AITETrainer(config: config)
    try a.loadPredictor(from: lifter)
    let before = a.predictor.parameters.map(\.value.values)
    let buffersBefore = a.predictor.buffers.map(\.value.values)
    let adjustBefore = a.adjustment.parameters.map(\.value.values)
    var first: Double?
    var last = 0.0
    for t in 0..<60 {
      let report = a.trainStep(try a.trainingBatch(step: t, poses: poses))
      if first == nil { first = report.adjustedLoss }
      last = report.adjustedLoss ?? .nan
    }
    // P untouched bit for bit (weights and BatchNorm statistics), A changed and its loss went down.
    #expect(a.predictor.parameters.map(\.value.values) == before)
    #expect(a.predictor.buffers.map(\.value.values) == buffersBefore)
    #expect(a.adjustment.parameters.map(\.value.values) != adjustBefore)
    let start = try #require(first)
    #expect(last < start, "A's loss \(start) → \(last)")

    // Exported with A; loaded A reproduces the trainer's A.
    let path = dir + "/pa.safetensors"
    try LifterModel.export(a, to: path)
    let loaded = try LifterModel.load(path: path)
    let adjustment = try #require(loaded.adjustment)
    #expect(adjustment.stages.count == 2)
    let batch = try a.trainingBatch(step: 0, poses: poses)
    let predicted = a.predict(batch.inputs)
    var context = ForwardContext(training: false)
    let expected = a.adjustment.forward(predicted, lengths: batch.boneLengths, context: &context)
    let pose = AITETrainer.joints(predicted, row: 0)
    let lengths = batch.boneLengths.row(0).map { Double($0) }
    let got = try loaded.adjust([pose], lengths: lengths)[0]
    for (g, e) in zip(got, AITETrainer.joints(expected, row: 0)) { #expect(g.distance(to: e) < 1e-3) }

    // A frozen P without stages, or without --init, is a configuration error.
    var bad = config
    bad.adjustment.stages = 0
    #expect(throws: TrainingError.self) { try bad.validate() }
    var wrongShape = config
    wrongShape.network.width = 64
    let other = try AITETrainer(config: wrongShape)
    #expect(throws: TrainingError.self) { try other.loadPredictor(from: lifter) }
  }

  @Test func shippedAdjustmentNetworkPullsRealPosesTowardsGivenLengths() throws {
    let model = try LifterModel.load(path: shippedLifterPath())
    let adjustment = try #require(model.adjustment, "the shipped lifter carries A (K = 2)")
    #expect(adjustment.stages.count == model.config.adjustment.stages)
    #expect(model.metadata["predictor_trained_steps"] == "12000")
    let data = try #require(FileManager.default.contents(atPath: try fixturePath("sports2d_h36m17_2d.json")))
    let fixture = try JSONDecoder().decode(ShippedLifterTests.Fixture.self, from: data)
    // Lengths of a 1.75 m person; A must bring every frame's bones closer to them on average.
    let target = Anthropometry.referenceBoneLengths(height: 1750)
    var before = 0.0
    var after = 0.0
    for frame in fixture.frames {
      let pose = try model.lift(frame.points.map { Vec2($0[0], $0[1]) })
      let adjusted = try #require(try model.adjust([pose], lengths: target).first)
      #expect(adjusted[0].distance(to: pose[0]) < 1e-3, "the root stays where it was")
      let l0 = try PoseMetrics.boneLengths(pose, skeleton: .h36m17)
      let l1 = try PoseMetrics.boneLengths(adjusted, skeleton: .h36m17)
      before += try BoneLengthError(lengths: l0, reference: target).meanAbsolute
      after += try BoneLengthError(lengths: l1, reference: target).meanAbsolute
    }
    #expect(after < 0.5 * before, "mean bone error \(before) → \(after) (sum over frames, mm)")
    #expect(throws: TrainingError.self) {
      try model.adjust([[Vec3](repeating: .zero, count: 3)], lengths: target)
    }
    #expect(throws: TrainingError.self) {
      try model.adjust([[Vec3](repeating: .zero, count: 17)], lengths: [1])
    }
  }
}
