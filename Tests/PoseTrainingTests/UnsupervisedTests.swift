// PoseTrainingTests: unsupervised lifting — gradient checks of the rotation/re-projection path, the
// discriminator and the whole lifter loss; proof that training never reads 3D; a seeded tiny run; the
// estimate-JSON reader, the lifter file and the metrics.

import Foundation
import PoseCore
import PoseScopeTestSupport
import Testing

@testable import PoseTraining

/// A small configuration for Double-precision checks and tiny runs.
func smallConfig(width: Int = 12, blocks: Int = 1) -> UnsupervisedConfig {
  var c = UnsupervisedConfig()
  c.network.width = width
  c.network.blocks = blocks
  c.discriminatorWidth = 10
  c.adversarialWeight = 0.5
  c.boneRatioWeight = 0.7
  c.symmetryWeight = 1.3
  c.consistency2DWeight = 0.8
  return c
}

/// Normalised 2D inputs (B × 34) projected from synthetic poses through random cameras.
func syntheticInputs<S: TrainingScalar>(_ count: Int, seed: UInt64) throws -> Matrix<S> {
  let generator = try SampleGenerator(camera: VirtualCameraConfig(), augmentation: AugmentationConfig())
  let batch = try generator.batch(
    syntheticPoses(count, seed: seed), indices: Array(0..<count), &Box(Xoshiro256(seed: seed)).value)
  return batch.inputs.converted()
}

/// 2D-only sequences and their separate 3D truth, projected from synthetic mocap.
func projectedSynthetic(sequences: Int, frames: Int, seed: UInt64) throws -> (
  ProjectedMocap, [PoseSequence]
) {
  let mocap = (0..<sequences).map {
    PoseSequence(
      name: "synthetic \($0)", frameTime: 0.02, poses: syntheticPoses(frames, seed: seed + UInt64($0)))
  }
  let generator = try SampleGenerator(camera: VirtualCameraConfig(), augmentation: AugmentationConfig())
  return (try ProjectedMocap.make(mocap, generator: generator, seed: seed), mocap)
}

@Suite struct UnsupervisedGradientTests {
  /// Rotation → orthographic projection → renormalisation, and the inverse path's scale: the analytic
  /// ∂L/∂P of a random probe loss on (x̃, s) matches central differences.
  @Test func rotationProjectionRenormalisationGradient() {
    var rng = Xoshiro256(seed: 11)
    let b = 3
    let p = Box(randomMatrix(b, 51, &rng))
    for r in 0..<b {
      for c in 0..<3 { p.value[r, c] = 0.1 * Double(c + 1) }  // the pelvis off the origin too
    }
    let angles = (0..<b).map { _ in rng.uniform(-.pi, .pi) }
    let probe = randomMatrix(b, 34, &rng)
    let scaleProbe = (0..<b).map { _ in rng.normal() }
    func run() -> (Matrix<Double>, [Double]) {
      UnsupervisedGeometry.projectNormalized(UnsupervisedGeometry.rotate(p.value, angles: angles))
    }
    let (base, baseScales) = run()
    let rotated = UnsupervisedGeometry.rotate(p.value, angles: angles)
    let gRotated = UnsupervisedGeometry.projectNormalizedBackward(
      rotated, normalized: base, scales: baseScales, gradient: probe, scaleGradient: scaleProbe)
    let analytic = UnsupervisedGeometry.rotate(gRotated, angles: angles.map { -$0 })
    let result = finiteDifferenceCheck(
      [CheckedTensor(name: "P", get: { p.value }, set: { p.value = $0 }, analytic: analytic)]
    ) {
      let (x, s) = run()
      return probeLoss(x, probe, baseline: base)
        + zip(zip(s, baseScales), scaleProbe).reduce(0) {
          $0 + $1.1 * ($1.0.0 - $1.0.1)
        }
    }
    #expect(result.checked == b * 51)
    #expect(result.failures.isEmpty, "\(result.failures.prefix(5))")
    // The re-projection is a valid lifter input: pelvis at 0, RMS 1.
    for r in 0..<b {
      #expect(abs(base[r, 0]) < 1e-12 && abs(base[r, 1]) < 1e-12)
      let rms = ((0..<34).reduce(0) { $0 + base[r, $1] * base[r, $1] } / 17).squareRoot()
      #expect(abs(rms - 1) < 1e-9)
    }
  }

  /// The discriminator's logistic losses: gradients with respect to its input (the lifter's path) and its
  /// parameters (its own update).
  @Test func discriminatorGradients() {
    var rng = Xoshiro256(seed: 12)
    let d = PoseDiscriminator<Double>(name: "discriminator", width: 9, rng: &rng)
    let x = Box(randomMatrix(5, 34, &rng))
    var context = ForwardContext(training: true)
    // Generator side: −log σ(D(x)) with respect to x and θ_D.
    for p in d.parameters { p.zeroGradient() }
    let g = UnsupervisedGeometry.logisticLoss(d.forward(x.value, context: &context), real: true)
    let dx = d.backward(g.gradient)
    var tensors = [CheckedTensor(name: "input", get: { x.value }, set: { x.value = $0 }, analytic: dx)]
    for p in d.parameters {
      tensors.append(
        CheckedTensor(name: p.name, get: { p.value }, set: { p.value = $0 }, analytic: p.gradient))
    }
    let generator = finiteDifferenceCheck(tensors) {
      var c = ForwardContext(training: true)
      return UnsupervisedGeometry.logisticLoss(d.forward(x.value, context: &c), real: true).value
    }
    #expect(generator.checked > 400)
    #expect(generator.failures.isEmpty, "\(generator.failures.prefix(5))")

    // Discriminator side: ½(BCE(real, 1) + BCE(fake, 0)) with respect to θ_D.
    var config = smallConfig()
    config.discriminatorWidth = 9
    var rng2 = Xoshiro256(seed: 13)
    guard let objective = try? UnsupervisedObjective<Double>(config: config, rng: &rng2) else {
      Issue.record("objective")
      return
    }
    let real = randomMatrix(4, 34, &rng)
    let fake = randomMatrix(3, 34, &rng)
    let parameters = objective.discriminator.parameters
    for p in parameters { p.zeroGradient() }
    _ = objective.discriminatorPass(real: real, fake: fake, backward: true)
    let check = finiteDifferenceCheck(
      parameters.map { p in
        CheckedTensor(name: p.name, get: { p.value }, set: { p.value = $0 }, analytic: p.gradient)
      }
    ) { objective.discriminatorPass(real: real, fake: fake, backward: false) }
    #expect(check.failures.isEmpty, "\(check.failures.prefix(5))")
  }

  /// The whole lifter loss (L3D, L2D, adversarial through D, symmetry, bone ratio; two lifter passes via
  /// the twin) with respect to several of the lifter's tensors.
  @Test func wholeLifterLossGradient() throws {
    var rng = Xoshiro256(seed: 14)
    let objective = try UnsupervisedObjective<Double>(config: smallConfig(), rng: &rng)
    let x: Matrix<Double> = try syntheticInputs(4, seed: 3)
    let angles = (0..<4).map { _ in rng.uniform(-.pi, .pi) }
    let lifter = objective.lifter
    for p in lifter.parameters + objective.discriminator.parameters { p.zeroGradient() }
    var context = ForwardContext(training: true)
    let losses = objective.lifterPass(x, angles: angles, context: &context, backward: true).losses
    #expect(losses.consistency3D > 0 && losses.adversarial > 0 && losses.symmetry > 0 && losses.boneRatio > 0)
    // D's parameters are not trained by the lifter's loss.
    #expect(objective.discriminator.parameters.allSatisfy { $0.gradient.squaredSum == 0 })
    let names = [
      "teacher.input.weight", "teacher.input.bias", "teacher.input_norm.scale", "teacher.output.weight",
      "teacher.block0.linear2.bias",
    ]
    let chosen = lifter.parameters.filter { names.contains($0.name) }
    #expect(chosen.count == names.count)
    let result = finiteDifferenceCheck(
      chosen.map { p in
        CheckedTensor(name: p.name, get: { p.value }, set: { p.value = $0 }, analytic: p.gradient)
      }, step: 1e-6, relativeTolerance: 1e-5, absoluteTolerance: 1e-8
    ) {
      var c = ForwardContext(training: true)
      return objective.lifterPass(x, angles: angles, context: &c, backward: false).losses.total
    }
    #expect(result.checked == 12 * 34 + 12 + 12 + 16 * 12 + 12)
    #expect(result.failures.isEmpty, "\(result.failures.prefix(5)) max rel \(result.maxRelativeError)")
  }

  /// The chirality prior: its gradient, and a mirrored (z → −z) body scores worse than the true one.
  @Test func chiralityPrior() {
    var rng = Xoshiro256(seed: 15)
    let p = Box(randomMatrix(3, 51, &rng, scale: 0.5))
    let loss = UnsupervisedGeometry.chiralityLoss(p.value, temperature: 0.3)
    let result = finiteDifferenceCheck(
      [CheckedTensor(name: "P", get: { p.value }, set: { p.value = $0 }, analytic: loss.gradient)]
    ) { UnsupervisedGeometry.chiralityLoss(p.value, temperature: 0.3).value }
    #expect(result.failures.isEmpty, "\(result.failures.prefix(5))")
    // restPose (facing +Z, Y up) with bent knees, seen by a camera looking along −Z from the front.
    var pose = restPose
    pose[2].z += 0.1
    pose[5].z += 0.1
    func matrix(_ pose: [Vec3]) -> Matrix<Double> {
      Matrix(rows: 1, columns: 51, values: pose.flatMap { [$0.x, $0.y, $0.z] })
    }
    let upright = UnsupervisedGeometry.chiralityLoss(matrix(pose), temperature: 0.001).value
    let mirrored = UnsupervisedGeometry.chiralityLoss(
      matrix(pose.map { Vec3($0.x, $0.y, -$0.z) }), temperature: 0.001)
    #expect(upright < 1e-6 && mirrored.value > 1e-3)
  }

  @Test func symmetryAndRatioLosses() {
    // A left/right-symmetric skeleton with anthropometric proportions has zero symmetry and ratio loss.
    let fractions = Anthropometry.h36mBoneFractions
    let lengths = Matrix<Double>(rows: 1, columns: 16, values: fractions.map { 1.7 * $0 })
    #expect(UnsupervisedGeometry.symmetryLoss(lengths).value == 0)
    #expect(UnsupervisedGeometry.ratioLoss(lengths, reference: fractions).value < 1e-20)
    var longer = lengths
    longer[0, H36M17.BoneID.leftForearm.rawValue] += 0.1
    // One pair differs by 0.1: (0.1)² / 6 pairs.
    #expect(abs(UnsupervisedGeometry.symmetryLoss(longer).value - 0.01 / 6) < 1e-12)
    #expect(UnsupervisedGeometry.ratioLoss(longer, reference: fractions).value > 0)
  }
}

@Suite struct UnsupervisedNo3DTests {
  /// The training data types have no 3D fields at all.
  @Test func trainingDataHoldsNo3D() throws {
    let (projected, _) = try projectedSynthetic(sequences: 2, frames: 5, seed: 21)
    let labels = Set(Mirror(reflecting: projected.sequences[0]).children.compactMap(\.label))
    #expect(labels == ["name", "frameTime", "frames"])
    #expect(projected.sequences[0].frames.allSatisfy { $0?.count == 17 })
    let bank = try Pose2DBank(projected.sequences)
    // 2D inputs and each row's sequence and frame number (for neighbouring frames), nothing else.
    #expect(Set(Mirror(reflecting: bank).children.compactMap(\.label)) == ["inputs", "sequence", "frame"])
    #expect(bank.inputs.columns == 34 && bank.count == 10)
    #expect(bank.sequence == [0, 0, 0, 0, 0, 1, 1, 1, 1, 1] && bank.frame == [0, 1, 2, 3, 4, 0, 1, 2, 3, 4])
  }

  /// Poisoning every 3D value (the mocap and the evaluation targets) with NaN after the 2D were made
  /// leaves the training run exactly unchanged, while the poisoned truth does poison an evaluation.
  @Test func poisonedThreeDLeavesTrainingUnchanged() throws {
    let (projected, mocap) = try projectedSynthetic(sequences: 3, frames: 20, seed: 22)
    var config = smallConfig(width: 16)
    config.batchSize = 16
    func run(_ sequences: [Pose2DSequence]) throws -> [UnsupervisedLosses] {
      let trainer = try UnsupervisedTrainer(config: config)
      let bank = try Pose2DBank(sequences)
      return (0..<4).map { _ in trainer.trainStep(bank).losses }
    }
    let clean = try run(projected.sequences)
    var poisoned = projected
    poisoned.truth.targets = poisoned.truth.targets.map { $0.map { _ in Vec3(.nan, .nan, .nan) } }
    var poisonedMocap = mocap
    for i in poisonedMocap.indices {
      poisonedMocap[i].poses = poisonedMocap[i].poses.map { $0.map { _ in Vec3(.nan, .nan, .nan) } }
    }
    #expect(poisonedMocap.allSatisfy { $0.poses.allSatisfy { $0.allSatisfy { $0.x.isNaN } } })
    let again = try run(poisoned.sequences)
    #expect(clean == again)
    #expect(clean.allSatisfy { $0.total.isFinite })
    let trainer = try UnsupervisedTrainer(config: config)
    #expect(try trainer.evaluate(projected.truth).paMPJPE.isFinite)
    #expect(try trainer.evaluate(poisoned.truth).paMPJPE.isNaN)
  }
}

@Suite struct UnsupervisedTrainingTests {
  /// A seeded tiny run (width 64, batch 64, 300 steps, full objective, random initial depths) on 2D
  /// projected from synthetic poses lowers the self-consistency loss L3D + L2D on a fixed held-out batch by at least 3×.
  @Test func tinyRunLowersSelfConsistency() throws {
    var config = UnsupervisedConfig()
    config.network.width = 64
    config.network.blocks = 1
    config.discriminatorWidth = 32
    config.batchSize = 64
    config.lifterRate = 1e-3
    config.discriminatorRate = 1e-3
    config.seed = 5
    config.initialDepthScale = 1  // random (He-initialised) depths at the start, not nearly flat ones
    let (projected, _) = try projectedSynthetic(sequences: 4, frames: 100, seed: 31)
    let bank = try Pose2DBank(projected.sequences)
    let trainer = try UnsupervisedTrainer(config: config)
    let held: Matrix<Float> = try syntheticInputs(128, seed: 99)
    var rng = Xoshiro256(seed: 7)
    let angles = (0..<128).map { _ in Float(rng.uniform(-.pi, .pi)) }
    func consistency() -> Double {
      let l = trainer.losses(held, angles: angles)
      return l.consistency3D + l.consistency2D
    }
    let before = consistency()
    for _ in 0..<300 { trainer.trainStep(bank) }
    let after = consistency()
    #expect(after.isFinite)
    #expect(after * 3 < before, "self-consistency \(before) → \(after)")
  }
}

@Suite struct UnsupervisedFileTests {
  @Test func readsEstimateDocument() throws {
    let path = try fixturePath("sports2d_estimate_20.json")
    let sequences = try Pose2DSequence.loadEstimate(path: path)
    #expect(sequences.count == 1)
    let s = try #require(sequences.first)
    #expect(s.frames.count == 20)
    #expect(s.name.hasSuffix("#sports2d"))
    let first = try #require(s.frames.first ?? nil)
    // Frame 0's h36m17_image, normalised: pelvis at the origin, RMS 1.
    #expect(first[0] == Vec2(0, 0))
    let rms = (first.reduce(0) { $0 + $1.squaredNorm } / 17).squareRoot()
    #expect(abs(rms - 1) < 1e-12)
    // Right hip − pelvis of frame 0 is (1024.135037 − 1028.777545, 724.259589 − 725.349734) / s.
    let ratio = first[1].x / first[1].y
    #expect(abs(ratio - (1024.135037 - 1028.777545) / (724.259589 - 725.349734)) < 1e-9)
  }

  @Test func estimateDocumentErrors() throws {
    let notEstimate = Data(#"{"skeleton": "h36m17"}"#.utf8)
    #expect(throws: TrainingError.self) { try Pose2DSequence.decodeEstimate(notEstimate, path: "a.json") }
    let noPerson = Data(#"{"frames": [{"file": "a.png", "person": false}]}"#.utf8)
    do {
      _ = try Pose2DSequence.decodeEstimate(noPerson, path: "b.json")
      Issue.record("expected an error")
    } catch let e as TrainingError {
      #expect("\(e)".contains("b.json") && "\(e)".contains("no frame has a person"))
    }
    // Frames grouped by sequence and ordered by index; a short point list is a missing pose.
    let pts = (0..<17).map { "[\($0), \(2 * $0 + 1)]" }.joined(separator: ",")
    let text = """
      {"frames": [
        {"file": "b2.png", "sequence": "s", "frame": 2, "person": true, "h36m17_image": [[1, 2]]},
        {"file": "b0.png", "sequence": "s", "frame": 0, "person": true, "h36m17_image": [\(pts)]},
        {"file": "x.png", "person": true, "h36m17_image": [\(pts)]}
      ]}
      """
    let seqs = try Pose2DSequence.decodeEstimate(Data(text.utf8), path: "c.json")
    #expect(seqs.count == 2)
    #expect(seqs[0].frames.count == 2 && seqs[0].frames[0] != nil && seqs[0].frames[1] == nil)
    #expect(try Pose2DBank(seqs).count == 2)
  }

  @Test func lifterFileRoundTrip() throws {
    var config = smallConfig(width: 16)
    config.seed = 3
    let trainer = try UnsupervisedTrainer(config: config)
    let dir = try TestFiles.makeTemporaryFolder("posetraining")
    let path = (dir as NSString).appendingPathComponent("teacher.safetensors")
    try UnsupervisedLifter.export(trainer, to: path, metadata: ["note": "test"])
    let model = try UnsupervisedLifter.load(path: path)
    #expect(model.config == config && model.metadata["note"] == "test")
    let x: Matrix<Float> = try syntheticInputs(6, seed: 4)
    let expected = UnsupervisedGeometry.assemble(x, depths: trainer.objective.depths(x))
    #expect(model.predict(x) == expected)
    // Metric lift: the bones add up to the anthropometric total of a 1.8 m person.
    let points = (0..<17).map { Vec2(Double(x[0, 2 * $0]) * 100 + 500, Double(x[0, 2 * $0 + 1]) * 100 + 400) }
    let pose = try model.lift(points, height: 1.8)
    let total = try PoseMetrics.boneLengths(pose, skeleton: .h36m17).reduce(0, +)
    #expect(abs(total - 1800 * Anthropometry.h36mBoneFractions.reduce(0, +)) < 1e-6 * total)
    // A supervised lifter or a broken file is refused with the path in the message.
    let other = (dir as NSString).appendingPathComponent("other.safetensors")
    try LifterModel.export(try AITETrainer(config: tinySupervisedConfig()), to: other)
    do {
      _ = try UnsupervisedLifter.load(path: other)
      Issue.record("expected an error")
    } catch let e as TrainingError {
      #expect("\(e)".contains(other) && "\(e)".contains(UnsupervisedLifter.format))
    }
    let trainer2 = try UnsupervisedTrainer(config: config)
    try trainer2.loadLifter(from: model)
    #expect(trainer2.objective.depths(x) == trainer.objective.depths(x))
  }

  /// The evaluation frame matches the lifter's: the normalised 2D with the true depths (orthographic
  /// oracle, depth in the 2D's units) scores a small PA-MPJPE on perspective projections (≈ 14 mm here:
  /// the orthographic model's error), flat poses do not (≈ 112 mm).
  @Test func orthographicOracleScoresLow() throws {
    let (projected, _) = try projectedSynthetic(sequences: 2, frames: 30, seed: 42)
    let truth = projected.truth
    var oracle: [[Vec3]] = []
    var flat: [[Vec3]] = []
    for (r, y) in truth.targets.enumerated() {
      let xy = (0..<17).map { Vec2(Double(truth.inputs[r, 2 * $0]), Double(truth.inputs[r, 2 * $0 + 1])) }
      // Least-squares mm per normalised unit from the 2D, applied to the depth.
      let k =
        zip(xy, y).reduce(0) { $0 + $1.0.x * $1.1.x + $1.0.y * $1.1.y } / xy.reduce(0) { $0 + $1.squaredNorm }
      oracle.append(zip(xy, y).map { Vec3($0.x, $0.y, $1.z / k) })
      flat.append(xy.map { Vec3($0.x, $0.y, 0) })
    }
    let good = try UnsupervisedMetrics.compute(predictions: oracle, truth: truth)
    let bad = try UnsupervisedMetrics.compute(predictions: flat, truth: truth)
    #expect(good.paMPJPE < 20, "oracle PA-MPJPE \(good.paMPJPE)")
    #expect(bad.paMPJPE > 3 * good.paMPJPE, "flat PA-MPJPE \(bad.paMPJPE)")
    #expect(abs(good.depthRatio - 1) < 0.1 && bad.depthRatio == 0)
  }

  @Test func metricsAreScaleFreeAndSeeMirroring() throws {
    let (projected, _) = try projectedSynthetic(sequences: 1, frames: 4, seed: 41)
    let truth = projected.truth
    let scaled = truth.targets.map { $0.map { 0.01 * $0 } }
    let m = try UnsupervisedMetrics.compute(predictions: scaled, truth: truth)
    #expect(m.count == 4 && m.paMPJPE < 1e-6 && m.nMPJPE < 1e-6 && m.mirroredPAMPJPE > 10)
    #expect(abs(m.depthRatio - 1) < 1e-9)
    let mirrored = scaled.map { $0.map { Vec3($0.x, $0.y, -$0.z) } }
    let mm = try UnsupervisedMetrics.compute(predictions: mirrored, truth: truth)
    #expect(mm.mirroredPAMPJPE < 1e-6 && mm.paMPJPE > 10)
    #expect(throws: TrainingError.self) { try UnsupervisedMetrics.compute(predictions: [], truth: truth) }
  }
}

private func tinySupervisedConfig() -> TrainingConfig {
  var c = TrainingConfig()
  c.network.width = 8
  c.network.blocks = 0
  c.adjustment.stages = 0
  return c
}
