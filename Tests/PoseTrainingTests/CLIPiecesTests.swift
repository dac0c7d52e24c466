// PoseTrainingTests: the pieces behind `posescope train` / `eval` — configuration defaults, data path
// resolution and rig detection, evaluation metrics on a known set, BlazePose-style 2D, lifter export.

import Foundation
import ModelFiles
import PoseCore
import PoseFormats
import PoseLifting
import PoseScopeTestSupport
import Testing

@testable import PoseTraining

@Suite struct ConfigDecodingTests {
  func decode(_ json: String) throws -> TrainingConfig {
    try TrainingConfig.decode(Data(json.utf8), path: "test.json")
  }

  @Test func emptyObjectIsTheDefault() throws {
    #expect(try decode("{}") == TrainingConfig())
  }

  @Test func partialObjectsKeepOtherDefaults() throws {
    let c = try decode(
      """
      {"seed": 3, "batchSize": 64, "adjustment": {"stages": 1, "module": {"hiddenWidth": 32}},
       "network": {"inputs": 34, "outputs": 51, "width": 256},
       "augmentation": {"keypointNoise": 2, "inputJoints": "blazepose"}, "camera": {"maxFocal": 2000}}
      """)
    var expected = TrainingConfig()
    expected.seed = 3
    expected.batchSize = 64
    expected.adjustment.stages = 1
    expected.adjustment.module.hiddenWidth = 32
    expected.network.width = 256
    expected.augmentation.keypointNoise = 2
    expected.augmentation.inputJoints = .blazePose
    expected.camera.maxFocal = 2000
    #expect(c == expected)
    #expect(c.adjustment.module.disturbance == DCMConfig().disturbance)
    #expect(c.augmentation.relativeKeypointNoise == 0 && c.augmentation.boneScaleRange == 0.15)
  }

  @Test func fullRoundTrip() throws {
    var c = TrainingConfig()
    c.augmentation.relativeKeypointNoise = 0.02
    c.augmentation.outlierProbability = 0.01
    c.adjustedLossDecaySteps = 500
    #expect(try decode(try c.json()) == c)
  }

  @Test func badValuesAreRejectedWithThePath() throws {
    for json in [
      #"{"batchSize": 0}"#, #"{"augmentation": {"outlierProbability": 2}}"#, #"{"seed": "x"}"#,
      #"{"augmentation": {"inputJoints": "openpose"}}"#, "[1, 2]",
    ] {
      #expect(throws: TrainingError.self) { _ = try decode(json) }
      do {
        _ = try decode(json)
      } catch {
        #expect("\(error)".contains("configuration"), "\(error)")
      }
    }
  }
}

@Suite struct DataPathTests {
  @Test func foldersExpandToSortedDataFilesAndDuplicatesDrop() throws {
    let dir = try TestFiles.makeTemporaryFolder("posetraining")
    for name in ["b.json", "a.bvh", "c.CSV", "notes.txt"] {
      try TestFiles.write(Data(), to: dir + "/" + name)
    }
    let files = try PoseDataset.resolve([dir, dir + "/a.bvh"])
    #expect(files == [dir + "/a.bvh", dir + "/b.json", dir + "/c.CSV"])
    let groups = PoseDataset.groupByFolder(files + ["/elsewhere/x.bvh"])
    #expect(groups.map(\.folder) == [dir, "/elsewhere"])
    #expect(groups.first?.files.count == 3)
  }

  @Test func missingPathsEmptyFoldersAndOtherFilesFail() throws {
    let dir = try TestFiles.makeTemporaryFolder("posetraining")
    #expect(throws: TrainingError.io(path: dir + "/nope", reason: "no such file or folder")) {
      try PoseDataset.resolve([dir + "/nope"])
    }
    #expect(throws: TrainingError.self) { try PoseDataset.resolve([dir]) }
    try TestFiles.write(Data(), to: dir + "/x.txt")
    do {
      _ = try PoseDataset.resolve([dir + "/x.txt"])
      Issue.record("accepted a .txt file")
    } catch {
      #expect("\(error)".contains("x.txt") && "\(error)".contains("unknown file type"))
    }
  }

  @Test func jsonAndCSVFixturesLoad() throws {
    let seqs = try PoseDataset.load([
      try fixturePath("poses/standing.json"), try fixturePath("poses/standing.csv"),
    ])
    #expect(seqs.count == 2)
    #expect(seqs.allSatisfy { !$0.poses.isEmpty && $0.poses[0].count == 17 })
  }

  @Test func rigIsDetectedForBothMocapRigs() throws {
    let mocap = try #require(mocapDirectory(), "../shared/mocap is missing")
    let iclone = try BVH.read(path: mocap + "/cmu-iclone/007_12.bvh")
    #expect(try PoseDataset.detectRig(iclone).name == "cmu-iclone")
    let cmu131 = try BVH.read(path: mocap + "/cmu-131/131_01.bvh")
    #expect(try PoseDataset.detectRig(cmu131).name == "cmu-131")
    // A file of neither rig is refused with a pointer to --rig.
    let tiny = try BVH.read(path: try fixturePath("bvh/tiny.bvh"))
    do {
      _ = try PoseDataset.detectRig(tiny)
      Issue.record("detected a rig in tiny.bvh")
    } catch {
      #expect("\(error)".contains("--rig") && "\(error)".contains("tiny.bvh"))
    }
    #expect(try PoseDataset.jointMap(named: "cmu-131") == JointMap.cmu131)
    #expect(throws: TrainingError.self) { try PoseDataset.jointMap(named: "/no/such/map.json") }
  }
}

@Suite struct LifterMetricsTests {
  /// restPose in mm, root-relative.
  var truth: [Vec3] { restPose.map { 1000 * ($0 - restPose[0]) } }
  var truthLengths: [Double] { H36M17.bones.map { truth[$0.child].distance(to: truth[$0.parent]) } }

  @Test func perfectPredictionsScoreZero() throws {
    let m = try LifterMetrics.compute(
      predictions: [truth, truth], targets: [truth, truth], trueLengths: [truthLengths, truthLengths],
      sequence: [0, 0])
    #expect(m.mpjpe == 0 && m.boneLengthError == 0 && m.boneLengthStd == 0)
    #expect(m.paMPJPE < 1e-6)
    #expect(m.count == 2 && m.sequences == 1)
  }

  @Test func scaledPosesGiveKnownErrors() throws {
    // Sequence 0: the truth, and the truth scaled by 1.2 about the pelvis. Sequence 1: the truth twice.
    let scaled = truth.map { 1.2 * $0 }
    let m = try LifterMetrics.compute(
      predictions: [truth, scaled, truth, truth], targets: [truth, truth, truth, truth],
      trueLengths: Array(repeating: truthLengths, count: 4), sequence: [0, 0, 1, 1])
    let norms = truth.map(\.norm)
    let meanNorm = norms.reduce(0, +) / 17
    // Only one of four poses is wrong, each joint by 0.2 |y_j|.
    #expect(abs(m.mpjpe - 0.2 * meanNorm / 4) < 1e-9)
    #expect(m.paMPJPE < 1e-6)  // a pure scale is removed by Procrustes
    let meanLength = truthLengths.reduce(0, +) / 16
    #expect(abs(m.boneLengthError - 0.2 * meanLength / 4) < 1e-9)
    // Sequence 0: lengths L and 1.2 L → population std 0.1 L; sequence 1: 0. Mean over sequences.
    #expect(abs(m.boneLengthStd - 0.1 * meanLength / 2) < 1e-9)
    for k in 0..<16 {
      #expect(abs(m.perBoneStd[k] - 0.05 * truthLengths[k]) < 1e-9)
      #expect(abs(m.perBoneError[k] - 0.05 * truthLengths[k]) < 1e-9)
    }
    for j in 0..<17 { #expect(abs(m.perJointError[j] - 0.05 * norms[j]) < 1e-9) }
  }

  @Test func mismatchedArraysThrow() {
    #expect(throws: TrainingError.self) {
      try LifterMetrics.compute(predictions: [truth], targets: [], trueLengths: [truthLengths], sequence: [0])
    }
    #expect(throws: TrainingError.self) {
      try LifterMetrics.compute(predictions: [], targets: [], trueLengths: [], sequence: [])
    }
    #expect(throws: TrainingError.self) {
      try LifterMetrics.compute(
        predictions: [Array(truth.prefix(16))], targets: [truth], trueLengths: [truthLengths], sequence: [0])
    }
  }

  @Test func evaluationSetKeepsLengthsConstantPerSequence() throws {
    let generator = try SampleGenerator(camera: VirtualCameraConfig(), augmentation: AugmentationConfig())
    let seqs = [
      PoseSequence(name: "a", poses: syntheticPoses(5, seed: 1)),
      PoseSequence(name: "b", poses: syntheticPoses(4, seed: 2)),
    ]
    let set = try EvaluationSet.make(seqs, generator: generator, seed: 3, stride: 2)
    #expect(set.count == 3 + 2)
    #expect(set.sequence == [0, 0, 0, 1, 1])
    for i in 1..<3 {
      for k in 0..<16 { #expect(abs(set.lengths[i][k] - set.lengths[0][k]) < 1e-6) }
    }
    #expect(set.lengths[3] != set.lengths[0])  // another sequence, another draw
    // The targets themselves score zero; the merged set renumbers sequences.
    let m = try set.evaluate { inputs in
      let rows = (0..<inputs.rows).flatMap { _ in [Float](repeating: 0, count: 51) }
      return Matrix(rows: inputs.rows, columns: 51, values: rows)
    }
    // All joints predicted at the pelvis: MPJPE is the mean distance from the pelvis; PA-MPJPE the mean
    // distance from the centroid.
    let fromRoot: Double = set.targets.map { t -> Double in t.map(\.norm).reduce(0, +) / 17 }.reduce(0, +) / 5
    #expect(abs(m.mpjpe - fromRoot) < 1e-3)
    let fromCentroid: Double =
      set.targets.map { t -> Double in
        let c: Vec3 = t.reduce(Vec3.zero, +) / 17
        return t.map { $0.distance(to: c) }.reduce(0, +) / 17
      }.reduce(0, +) / 5
    #expect(abs(m.paMPJPE - fromCentroid) < 1e-3)
    let merged = EvaluationSet.merged([set, set])
    #expect(merged.sequence == [0, 0, 0, 1, 1, 2, 2, 2, 3, 3])
  }
}

@Suite struct BlazePoseInputTests {
  @Test func faceIsInFrontOfTheHeadAndEarsAreSymmetric() {
    // restPose faces +Z with the person's left at +X.
    let face = BlazePoseInput.face(restPose)
    let head = restPose[9]
    #expect(face.nose.z > head.z + 0.05)
    #expect(abs(face.nose.x) < 1e-9)
    #expect(face.leftEar.x > 0.05 && face.rightEar.x < -0.05)
    #expect(abs(face.leftEar.x + face.rightEar.x) < 1e-9)
    #expect(abs(face.leftEar.y - face.rightEar.y) < 1e-9)
  }

  @Test func imagePointsFollowTheRunTimeMapping() throws {
    // Orthographic front view in pixels (x right = person's left, y down).
    let project: (Vec3) -> Vec2 = { Vec2(1000 * $0.x, -1000 * $0.y) }
    let pts = BlazePoseInput.imagePoints(restPose, project: project)
    let shoulders = project(restPose[11]).midpoint(project(restPose[14]))
    #expect(pts[8] == shoulders)
    #expect(pts[7] == project(restPose[0]).midpoint(shoulders))
    #expect(pts[9] == project(BlazePoseInput.face(restPose).nose))
    for j in [0, 1, 2, 3, 4, 5, 6, 11, 12, 13, 14, 15, 16] { #expect(pts[j] == project(restPose[j])) }
    // Head top: above the ears (smaller y) by max(0.9 ear distance, 0.65 ear-to-shoulder distance).
    let f = BlazePoseInput.face(restPose)
    let ears = project(f.leftEar).midpoint(project(f.rightEar))
    let expected = max(
      0.9 * project(f.leftEar).distance(to: project(f.rightEar)), 0.65 * ears.distance(to: shoulders))
    #expect(abs(pts[10].x - ears.x) < 1e-9)
    #expect(abs((ears.y - pts[10].y) - expected) < 1e-6)
  }

  @Test func noiseFollowsTheConfiguration() throws {
    var a = AugmentationConfig(boneScaleRange: 0)
    var g = try SampleGenerator(camera: VirtualCameraConfig(), augmentation: a)
    var rng = Xoshiro256(seed: 5)
    var pts = restPose.map { Vec2(1000 * $0.x, -1000 * $0.y) }
    let clean = pts
    g.addNoise(&pts, &rng)
    #expect(pts == clean)
    a.relativeKeypointNoise = 0.05
    a.outlierProbability = 1
    a.outlierScale = 0.5
    g = try SampleGenerator(camera: VirtualCameraConfig(), augmentation: a)
    var sum = 0.0
    for _ in 0..<200 {
      pts = clean
      g.addNoise(&pts, &rng)
      sum += zip(pts, clean).dropFirst().map { $0.distance(to: $1) }.reduce(0, +) / 16
    }
    // s ≈ RMS distance from the pelvis; expected displacement ≈ √(π/2)·σ with σ = s·√(0.05² + 0.5²).
    let root = clean[0]
    let s = (clean.reduce(0) { $0 + ($1 - root).squaredNorm } / 17).squareRoot()
    let expected = (Double.pi / 2).squareRoot() * s * (0.05 * 0.05 + 0.25).squareRoot()
    #expect(abs(sum / 200 - expected) < 0.1 * expected)
    #expect(!a.withoutNoise.hasNoise && a.hasNoise)
  }
}

@Suite struct LifterModelTests {
  @Test func exportedLifterPredictsLikeTheTrainer() throws {
    var config = TrainingConfig()
    config.network.width = 32
    config.adjustment.stages = 1
    config.batchSize = 16
    config.threads = 1
    let trainer = try AITETrainer(config: config)
    let poses = syntheticPoses(64, seed: 4)
    for s in 0..<3 { trainer.trainStep(try trainer.trainingBatch(step: s, poses: poses)) }
    let dir = try TestFiles.makeTemporaryFolder("posetraining")
    let path = dir + "/lifter.safetensors"
    try LifterModel.export(trainer, to: path, metadata: ["acknowledgment": "test"])
    let model = try LifterModel.load(path: path)
    #expect(model.config == config)
    #expect(model.metadata["acknowledgment"] == "test" && model.metadata["format"] == LifterModel.format)
    let batch = try trainer.trainingBatch(step: 9, poses: poses)
    #expect(model.predict(batch.inputs) == trainer.predict(batch.inputs))
    // A training checkpoint loads as a lifter too; the lift of 17 points matches row-wise prediction.
    try trainer.saveCheckpoint(to: dir + "/ckpt.safetensors")
    let fromCheckpoint = try LifterModel.load(path: dir + "/ckpt.safetensors")
    #expect(fromCheckpoint.predict(batch.inputs) == trainer.predict(batch.inputs))
    let points = restPose.map { Vec2(900 * $0.x, -900 * $0.y) }
    let lifted = try model.lift(points)
    let x = KeypointNormalization.normalize(points).map { Float($0) }
    #expect(lifted == AITETrainer.joints(trainer.predict(Matrix(rows: 1, columns: 34, values: x)), row: 0))
    #expect(throws: TrainingError.self) { try model.lift(Array(points.prefix(3))) }
    #expect(throws: TrainingError.self) {
      try LifterModel.export(trainer, to: dir + "/x.safetensors", metadata: ["config": "{}"])
    }
  }

  @Test func otherSafetensorsFilesAreRefused() throws {
    let dir = try TestFiles.makeTemporaryFolder("posetraining")
    var writer = SafeTensorsWriter(metadata: ["format": "something-else"])
    try writer.add("lifter.input.weight", floats: [1, 2], shape: [1, 2])
    try writer.write(to: dir + "/other.safetensors")
    do {
      _ = try LifterModel.load(path: dir + "/other.safetensors")
      Issue.record("loaded a foreign file")
    } catch {
      #expect("\(error)".contains("other.safetensors") && "\(error)".contains("something-else"))
    }
  }
}
