// PoseTrainingTests: `TrainedLifter` — one loader for both lifter kinds (the `--lifter` of `estimate` and
// the viewer): the shipped supervised file, an unsupervised file, and files that are neither.

import Foundation
import ModelFiles
import PoseCore
import PoseLifting
import PoseScopeTestSupport
import Testing

@testable import PoseTraining

@Suite struct TrainedLifterTests {
  /// The first fixture frame's 17 real BlazePose H36M-17 image points (pixels).
  private func realPoints() throws -> [Vec2] {
    let data = try #require(FileManager.default.contents(atPath: try fixturePath("sports2d_h36m17_2d.json")))
    let fixture = try JSONDecoder().decode(ShippedLifterTests.Fixture.self, from: data)
    let frame = try #require(fixture.frames.first { $0.points.count == 17 })
    return frame.points.map { Vec2($0[0], $0[1]) }
  }

  @Test func shippedFileLoadsAsSupervisedAndLiftsLikeLifterModel() throws {
    let lifter = try TrainedLifter.load(path: shippedLifterPath())
    let model = try #require(lifter.supervised)
    #expect(model.adjustment != nil && lifter.summary.contains("DCM") && lifter.shortName == "AITE lifter")
    let points = try realPoints()
    // `lift` is PoseLifting's `Lifter` in mm: the training layers' pose within 0.01 mm.
    let lifted = try lifter.lift(points)
    #expect(lifted == (try lifter.inference.lift(points)).map { 1000 * $0 })
    let reference = try LifterModel.load(path: shippedLifterPath()).lift(points)
    #expect(zip(lifted, reference).allSatisfy { $0.distance(to: $1) < 0.01 })
  }

  @Test func unsupervisedFileLoadsAndIsScaledToTheHeight() throws {
    var config = UnsupervisedConfig()
    config.network.width = 16
    config.network.blocks = 1
    config.discriminatorWidth = 8
    config.seed = 5
    let trainer = try UnsupervisedTrainer(config: config, name: "student")
    let path = (try TestFiles.makeTemporaryFolder("posetraining") as NSString).appendingPathComponent(
      "u.safetensors")
    try UnsupervisedLifter.export(trainer, to: path, metadata: ["note": "test"])
    let lifter = try TrainedLifter.load(path: path, height: 1.6)
    #expect(lifter.supervised == nil)
    #expect(lifter.summary.contains("unsupervised") && lifter.summary.contains("student"))
    #expect(lifter.shortName == "unsupervised student")
    let pose = try lifter.lift(try realPoints())
    #expect(pose.count == 17 && pose[0] == Vec3(0, 0, 0))
    let total = try PoseMetrics.boneLengths(pose, skeleton: .h36m17).reduce(0, +)
    #expect(abs(total - 1600 * Anthropometry.h36mBoneFractions.reduce(0, +)) < 1e-6 * total)
    // The same file as UnsupervisedLifter gives the same pose (within 0.01 mm: other arithmetic).
    let reference = try UnsupervisedLifter.load(path: path).lift(try realPoints(), height: 1.6)
    #expect(zip(pose, reference).allSatisfy { $0.distance(to: $1) < 0.01 })
  }

  @Test func otherFilesAndHeightsAreRefusedClearly() throws {
    let dir = try TestFiles.makeTemporaryFolder("posetraining")
    // A valid safetensors file that is not a lifter.
    let other = (dir as NSString).appendingPathComponent("weights.safetensors")
    var writer = SafeTensorsWriter(metadata: ["format": "something-else/2"])
    try writer.add("w", floats: [1, 2, 3], shape: [3])
    try writer.write(to: other)
    do {
      _ = try TrainedLifter.load(path: other)
      Issue.record("expected an error for another format")
    } catch let e as TrainingError {
      let text = "\(e)"
      #expect(
        text.contains(other) && text.contains("something-else/2") && text.contains("not a PoseScope lifter"))
    }
    // Not a safetensors file at all, and a missing file.
    let junk = (dir as NSString).appendingPathComponent("junk.safetensors")
    try TestFiles.write("not a model", to: junk)
    #expect(throws: (any Error).self) { try TrainedLifter.load(path: junk) }
    #expect(throws: (any Error).self) { try TrainedLifter.load(path: dir + "/missing.safetensors") }
    #expect(throws: TrainingError.self) { try TrainedLifter.load(path: shippedLifterPath(), height: 0.1) }
    #expect(throws: TrainingError.self) { try TrainedLifter.load(path: shippedLifterPath(), height: .nan) }
  }
}
