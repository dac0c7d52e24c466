// PoseTrainingTests: the unsupervised student — gradient checks of the temporal and distillation losses
// (alone and through the student's whole fine-tune loss), scale awareness of the temporal loss,
// neighbouring-frame windows that never cross sequences, a seeded tiny distillation run, a tiny fine-tune,
// the student file, bad settings, and proof that the student stages never read 3D.

import Foundation
import ModelFiles
import PoseCore
import PoseLifting
import PoseScopeTestSupport
import Testing

@testable import PoseTraining

/// A pose batch (B × 51, root-relative, normalised-like units) from synthetic mocap poses.
private func poseMatrix(_ poses: [[Vec3]]) -> Matrix<Double> {
  Matrix(
    rows: poses.count, columns: 51,
    values: poses.flatMap { pose in pose.flatMap { j in [j.x - pose[0].x, j.y - pose[0].y, j.z - pose[0].z] }
    })
}

@Suite struct UnsupervisedStudentGradientTests {
  /// The temporal loss of pairs (velocity) and triples (acceleration), through the bone-length
  /// normalisation, matches central differences.
  @Test(arguments: [2, 3]) func temporalLossGradient(frames: Int) {
    var rng = Xoshiro256(seed: 51)
    let p = Box(randomMatrix(2 * frames, 51, &rng, scale: 0.5))
    for r in 0..<p.value.rows {
      for c in 0..<3 { p.value[r, c] = 0 }  // root-relative
    }
    let loss = UnsupervisedGeometry.temporalLoss(p.value, frames: frames, smoothing: 1e-3)
    #expect(loss.value > 1e-2)
    let result = finiteDifferenceCheck(
      [CheckedTensor(name: "P", get: { p.value }, set: { p.value = $0 }, analytic: loss.gradient)]
    ) { UnsupervisedGeometry.temporalLoss(p.value, frames: frames, smoothing: 1e-3).value }
    #expect(result.checked == 2 * frames * 51)
    #expect(result.failures.isEmpty, "\(result.failures.prefix(5)) max rel \(result.maxRelativeError)")
  }

  /// The distillation loss with respect to the student's poses (the teacher is a constant).
  @Test func distillationLossGradient() {
    var rng = Xoshiro256(seed: 52)
    let p = Box(randomMatrix(4, 51, &rng))
    let teacher = randomMatrix(4, 51, &rng)
    let loss = UnsupervisedGeometry.distillationLoss(p.value, teacher: teacher, smoothing: 1e-3)
    // Its value: the mean over the 68 joints of the smoothed distance.
    var expected = 0.0
    for r in 0..<4 {
      for j in 0..<17 {
        var s = 1e-6
        for a in 0..<3 {
          let e = p.value[r, 3 * j + a] - teacher[r, 3 * j + a]
          s += e * e
        }
        expected += s.squareRoot() / 68
      }
    }
    #expect(abs(loss.value - expected) < 1e-12)
    let result = finiteDifferenceCheck(
      [CheckedTensor(name: "P", get: { p.value }, set: { p.value = $0 }, analytic: loss.gradient)]
    ) { UnsupervisedGeometry.distillationLoss(p.value, teacher: teacher, smoothing: 1e-3).value }
    #expect(result.failures.isEmpty, "\(result.failures.prefix(5))")
  }

  /// The student's whole fine-tune loss (its own objective + temporal + distillation through the extra-loss
  /// hook, both lifter passes) with respect to several of the student's tensors.
  @Test func studentFinetuneLossGradient() throws {
    var config = smallConfig()
    config.student.temporalWeight = 2.5
    config.student.distillationWeight = 1.5
    config.student.temporalFrames = 2
    var rng = Xoshiro256(seed: 53)
    let teacher = try UnsupervisedObjective<Double>(config: config, rng: &rng)
    let student = try UnsupervisedObjective<Double>(
      config: config, rng: &rng, name: "student", discriminator: teacher.discriminator)
    let x: Matrix<Double> = try syntheticInputs(4, seed: 5)
    let angles = (0..<4).map { _ in rng.uniform(-.pi, .pi) }
    let target = teacher.poses(x)
    let s = config.student
    let extra: UnsupervisedExtraLoss<Double> = { p, losses in
      let t = UnsupervisedGeometry.temporalLoss(p, frames: s.temporalFrames, smoothing: config.smoothing)
      let d = UnsupervisedGeometry.distillationLoss(p, teacher: target, smoothing: config.smoothing)
      losses.temporal = t.value
      losses.distillation = d.value
      losses.total += s.temporalWeight * t.value + s.distillationWeight * d.value
      var g = s.temporalWeight * t.gradient
      g.add(d.gradient, scale: s.distillationWeight)
      return g
    }
    for p in student.lifter.parameters + teacher.discriminator.parameters { p.zeroGradient() }
    var context = ForwardContext(training: true)
    let losses = student.lifterPass(x, angles: angles, context: &context, backward: true, extra: extra).losses
    #expect(losses.temporal > 0 && losses.distillation > 0)
    #expect(teacher.discriminator.parameters.allSatisfy { $0.gradient.squaredSum == 0 })
    let names = ["student.input.weight", "student.output.weight", "student.output.bias"]
    let chosen = student.lifter.parameters.filter { names.contains($0.name) }
    #expect(chosen.count == names.count)
    let result = finiteDifferenceCheck(
      chosen.map { p in
        CheckedTensor(name: p.name, get: { p.value }, set: { p.value = $0 }, analytic: p.gradient)
      }, step: 1e-6, relativeTolerance: 1e-5, absoluteTolerance: 1e-8
    ) {
      var c = ForwardContext(training: true)
      return student.lifterPass(x, angles: angles, context: &c, backward: false, extra: extra).losses.total
    }
    #expect(result.checked == 12 * 34 + 16 * 12 + 16)
    #expect(result.failures.isEmpty, "\(result.failures.prefix(5)) max rel \(result.maxRelativeError)")
  }
}

@Suite struct UnsupervisedTemporalTests {
  /// The temporal loss compares poses after one normalisation: scaling a frame (as its own 2D
  /// normalisation does when the person's 2D extent changes) leaves it unchanged; a still body scores ε;
  /// a moving one more.
  @Test(arguments: [2, 3]) func temporalLossIsScaleAware(frames: Int) {
    let poses = syntheticPoses(frames, seed: 61)
    let moving = poseMatrix(poses)
    let still = poseMatrix([[Vec3]](repeating: poses[0], count: frames))
    let eps = 1e-3
    let base = UnsupervisedGeometry.temporalLoss(moving, frames: frames, smoothing: eps).value
    #expect(base > 100 * eps)
    for r in 0..<frames {
      var scaled = moving
      var stillScaled = still
      for c in 0..<51 {
        scaled[r, c] *= 1.7
        stillScaled[r, c] *= 0.6
      }
      let v = UnsupervisedGeometry.temporalLoss(scaled, frames: frames, smoothing: eps).value
      #expect(abs(v - base) < 1e-9 * base, "frame \(r) scaled: \(v) vs \(base)")
      // A still body, one frame at another scale: still ε.
      let s = UnsupervisedGeometry.temporalLoss(stillScaled, frames: frames, smoothing: eps).value
      #expect(abs(s - eps) < 1e-12, "still body: \(s)")
      // Without the common normalisation the same scaling would look like a large motion.
      let naive = Loss.meanJointDistance(
        Matrix(rows: 1, columns: 51, values: Array(stillScaled.values[0..<51])),
        Matrix(rows: 1, columns: 51, values: Array(stillScaled.values[(51 * (frames - 1))...])))
      if r == 0 || r == frames - 1 { #expect(naive.value > 0.1) }
    }
    #expect(abs(UnsupervisedGeometry.temporalLoss(still, frames: frames, smoothing: eps).value - eps) < 1e-12)
  }
}

@Suite struct UnsupervisedWindowTests {
  /// Sequences with missing frames and of various lengths; pose k of sequence s has its pelvis-free
  /// points tagged so rows can be traced back.
  private func sequences() -> [Pose2DSequence] {
    func pose(_ s: Int, _ k: Int) -> [Vec2] {
      (0..<17).map { j in j == 0 ? Vec2(0, 0) : Vec2(Double(s) + 0.01 * Double(k), Double(j)) }
    }
    func seq(_ s: Int, _ present: [Bool]) -> Pose2DSequence {
      Pose2DSequence(
        name: "s\(s)", frames: present.enumerated().map { k, p in p ? pose(s, k) : nil })
    }
    return [
      seq(0, [true, true, false, true, true, true]), seq(1, [true, true]), seq(2, [true]),
      seq(3, [false, true, true]), seq(4, [true, true, true, true, true, true, true]),
    ]
  }

  @Test func windowsNeverCrossSequencesOrGaps() throws {
    let bank = try Pose2DBank(sequences())
    #expect(bank.count == 5 + 2 + 1 + 2 + 7)
    // (sequence, frame) of each window's rows, by hand.
    func described(_ windows: [[Int]]) -> [[[Int]]] {
      windows.map { $0.map { [bank.sequence[$0], bank.frame[$0]] } }
    }
    let pairs = try bank.windows(frames: 2, gap: 1)
    #expect(
      described(pairs) == [
        [[0, 0], [0, 1]], [[0, 3], [0, 4]], [[0, 4], [0, 5]], [[1, 0], [1, 1]], [[3, 1], [3, 2]],
        [[4, 0], [4, 1]], [[4, 1], [4, 2]], [[4, 2], [4, 3]], [[4, 3], [4, 4]], [[4, 4], [4, 5]],
        [[4, 5], [4, 6]],
      ])
    let triples = try bank.windows(frames: 3, gap: 1)
    #expect(
      described(triples) == [
        [[0, 3], [0, 4], [0, 5]], [[4, 0], [4, 1], [4, 2]], [[4, 1], [4, 2], [4, 3]],
        [[4, 2], [4, 3], [4, 4]], [[4, 3], [4, 4], [4, 5]], [[4, 4], [4, 5], [4, 6]],
      ])
    let gapped = try bank.windows(frames: 2, gap: 2)
    #expect(
      described(gapped) == [
        [[0, 1], [0, 3]], [[0, 3], [0, 5]], [[4, 0], [4, 2]], [[4, 1], [4, 3]], [[4, 2], [4, 4]],
        [[4, 3], [4, 5]], [[4, 4], [4, 6]],
      ])
    #expect(try bank.windows(frames: 3, gap: 3).map { $0.map { bank.frame[$0] } } == [[0, 3, 6]])
    // The rows really hold those frames' poses (tagged x of joint 1 = sequence + 0.01 · frame, before
    // normalisation: the tag survives as the ratio x/y of joint 1).
    for w in pairs {
      for r in w {
        let tag = Double(bank.inputs[r, 2]) / Double(bank.inputs[r, 3])
        #expect(abs(tag - (Double(bank.sequence[r]) + 0.01 * Double(bank.frame[r]))) < 1e-5)
      }
    }
    for (frames, gap) in [
      (0, 1), (2, 0), (Pose2DBank.maxWindowFrames + 1, 1), (2, Pose2DBank.maxWindowGap + 1),
    ] {
      #expect(throws: TrainingError.self) { try bank.windows(frames: frames, gap: gap) }
    }
  }

  /// The fine-tune's batches are made of whole windows, each inside one sequence and in time order.
  @Test(arguments: [(2, 1), (3, 2)]) func finetuneBatchesHoldWholeWindows(frames: Int, gap: Int) throws {
    var config = smallConfig()
    config.batchSize = 40
    config.student.temporalFrames = frames
    config.student.temporalGap = gap
    let students = try UnsupervisedStudentTrainer(teacher: try UnsupervisedTrainer(config: config))
    let bank = try Pose2DBank(sequences())
    let windows = try students.windows(bank)
    for step in 0..<20 {
      let plan = students.finetunePlan(step: step, windows: windows)
      #expect(plan.rows.count == (40 / frames) * frames && plan.angles.count == plan.rows.count)
      for w in 0..<(plan.rows.count / frames) {
        let rows = Array(plan.rows[(w * frames)..<((w + 1) * frames)])
        #expect(Set(rows.map { bank.sequence[$0] }).count == 1)
        #expect(zip(rows.dropFirst(), rows).allSatisfy { bank.frame[$0] - bank.frame[$1] == gap })
      }
    }
    // Single images (every sequence one frame): no window, a clear error.
    let singles = try Pose2DBank(
      sequences().flatMap { s in s.frames.map { Pose2DSequence(name: s.name, frames: [$0]) } })
    do {
      _ = try students.windows(singles)
      Issue.record("expected an error")
    } catch let e as TrainingError {
      #expect("\(e)".contains("temporal fine-tune"))
    }
  }
}

@Suite struct UnsupervisedStudentTrainingTests {
  /// A seeded tiny distillation (width 64, batch 64, 300 steps) lowers the student–teacher gap on held-out
  /// inputs by at least 5×. The teacher has random (He-initialised) depths so there is something to learn.
  @Test func tinyDistillationLowersGap() throws {
    var config = UnsupervisedConfig()
    config.network.width = 64
    config.network.blocks = 1
    config.discriminatorWidth = 16
    config.batchSize = 64
    config.seed = 8
    config.initialDepthScale = 1
    config.student.distillationRate = 1e-3
    var studentNetwork = config.network
    studentNetwork.width = 48
    config.student.network = studentNetwork
    let (projected, _) = try projectedSynthetic(sequences: 4, frames: 100, seed: 71)
    let bank = try Pose2DBank(projected.sequences)
    let teacher = try UnsupervisedTrainer(config: config)
    let students = try UnsupervisedStudentTrainer(teacher: teacher)
    #expect(students.student.objective.lifter.parameters[0].value.rows == 48)
    let held: Matrix<Float> = try syntheticInputs(128, seed: 98)
    let before = students.gap(held)
    let teacherBefore = teacher.objective.poses(held)
    for _ in 0..<300 { students.distillStep(bank) }
    let after = students.gap(held)
    #expect(after.isFinite && before > 0.1)
    #expect(after * 5 < before, "student–teacher gap \(before) → \(after)")
    // Distillation leaves the teacher alone.
    #expect(teacher.objective.poses(held) == teacherBefore && teacher.step == 0)
    #expect(students.distillationStep == 300)
  }

  /// During distillation D trains on the teacher's re-projections unless turned off.
  @Test(arguments: [true, false]) func distillationTrainsDiscriminatorWhenAsked(_ on: Bool) throws {
    var config = smallConfig(width: 16)
    config.batchSize = 16
    config.student.distillationTrainsDiscriminator = on
    let (projected, _) = try projectedSynthetic(sequences: 2, frames: 10, seed: 73)
    let bank = try Pose2DBank(projected.sequences)
    let students = try UnsupervisedStudentTrainer(teacher: try UnsupervisedTrainer(config: config))
    let d = students.teacher.objective.discriminator
    #expect(students.student.objective.discriminator === d)
    let before = d.parameters.map(\.value)
    let r = students.distillStep(bank)
    #expect((d.parameters.map(\.value) != before) == on)
    #expect(on ? r.discriminatorLoss > 0.5 && r.discriminatorLoss < 1 : r.discriminatorLoss == 0)
  }

  /// A tiny fine-tune with the teacher fixed: the teacher's weights stay bit-identical, the losses are
  /// finite, and a large temporal weight lowers the student's temporal loss on held-out windows.
  @Test func tinyFinetuneSmoothsStudent() throws {
    var config = smallConfig(width: 32)
    config.batchSize = 32
    config.seed = 9
    config.initialDepthScale = 1
    config.student.finetuneTeacher = false
    config.student.temporalWeight = 20
    config.student.finetuneRate = 1e-3
    config.student.temporalFrames = 3
    let (projected, _) = try projectedSynthetic(sequences: 3, frames: 40, seed: 72)
    let bank = try Pose2DBank(projected.sequences)
    let teacher = try UnsupervisedTrainer(config: config)
    let students = try UnsupervisedStudentTrainer(teacher: teacher)
    for _ in 0..<20 { students.distillStep(bank) }
    let windows = try students.windows(bank)
    let heldRows = windows.prefix(30).flatMap { $0 }
    let held = bank.inputs.gatherRows(heldRows)
    func temporal() -> Double {
      UnsupervisedGeometry.temporalLoss(students.student.objective.poses(held), frames: 3, smoothing: 1e-3)
        .value
    }
    let teacherWeights = teacher.objective.lifter.parameters.map(\.value)
    let before = temporal()
    for _ in 0..<60 {
      let r = students.finetuneStep(bank, windows: windows)
      #expect(r.student.total.isFinite && r.teacher.total.isFinite && r.discriminatorLoss.isFinite)
      #expect(r.student.temporal > 0 && r.student.distillation > 0 && r.teacher.temporal > 0)
    }
    let after = temporal()
    #expect(after * 2 < before, "temporal loss \(before) → \(after)")
    #expect(teacher.objective.lifter.parameters.map(\.value) == teacherWeights)
    #expect(students.finetuneStep == 60 && students.student.step == 80 && teacher.step == 0)
  }
}

@Suite struct UnsupervisedStudentNo3DTests {
  /// Poisoning every 3D value with NaN after the 2D were made leaves the teacher, the distillation and the
  /// joint fine-tune exactly unchanged (bit-identical losses and weights).
  @Test func poisonedThreeDLeavesStudentStagesUnchanged() throws {
    let (projected, mocap) = try projectedSynthetic(sequences: 3, frames: 20, seed: 81)
    var config = smallConfig(width: 16)
    config.batchSize = 16
    func run(_ sequences: [Pose2DSequence]) throws -> (losses: [Double], weights: [Matrix<Float>]) {
      let teacher = try UnsupervisedTrainer(config: config)
      let bank = try Pose2DBank(sequences)
      var losses: [Double] = []
      for _ in 0..<3 { losses.append(teacher.trainStep(bank).losses.total) }
      let students = try UnsupervisedStudentTrainer(teacher: teacher)
      for _ in 0..<3 {
        let r = students.distillStep(bank)
        losses += [r.distillation, r.discriminatorLoss]
      }
      let windows = try students.windows(bank)
      for _ in 0..<3 {
        let r = students.finetuneStep(bank, windows: windows)
        losses += [
          r.teacher.total, r.teacher.temporal, r.student.total, r.student.temporal, r.student.distillation,
          r.discriminatorLoss,
        ]
      }
      return (losses, students.student.objective.lifter.parameters.map(\.value))
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
    #expect(clean.losses == again.losses && clean.weights == again.weights)
    #expect(clean.losses.count == 27 && clean.losses.allSatisfy { $0.isFinite })
    // The poisoned truth does poison an evaluation of the student.
    let students = try UnsupervisedStudentTrainer(teacher: try UnsupervisedTrainer(config: config))
    #expect(try students.evaluate(projected.truth).paMPJPE.isFinite)
    #expect(try students.evaluate(poisoned.truth).paMPJPE.isNaN)
  }
}

@Suite struct UnsupervisedStudentFileTests {
  /// The student is written in the teacher's format with role `student`, loads with
  /// `UnsupervisedLifter.load`, predicts what the trainer does, and can initialise a teacher.
  @Test func studentFileRoundTrip() throws {
    var config = smallConfig(width: 16)
    var studentNetwork = config.network
    studentNetwork.width = 20
    config.student.network = studentNetwork
    let teacher = try UnsupervisedTrainer(config: config)
    let students = try UnsupervisedStudentTrainer(teacher: teacher)
    let dir = try TestFiles.makeTemporaryFolder("posetraining")
    let path = (dir as NSString).appendingPathComponent("student.safetensors")
    try UnsupervisedLifter.export(students.student, to: path, metadata: ["note": "student test"])
    let model = try UnsupervisedLifter.load(path: path)
    #expect(model.metadata["role"] == "student" && model.metadata["format"] == UnsupervisedLifter.format)
    #expect(model.config.network.width == 20 && model.network.parameters[0].name.hasPrefix("student."))
    let x: Matrix<Float> = try syntheticInputs(5, seed: 6)
    #expect(model.predict(x) == students.student.objective.poses(x))
    // The metadata key `role` is the exporter's.
    #expect(throws: TrainingError.self) {
      try UnsupervisedLifter.export(students.student, to: path, metadata: ["role": "teacher"])
    }
    // A teacher of the student's shape can start from it (--init-lifter with a student file).
    var teacherConfig = config
    teacherConfig.network = model.config.network
    let next = try UnsupervisedTrainer(config: teacherConfig)
    try next.loadLifter(from: model)
    #expect(next.objective.poses(x) == model.predict(x))
    // A teacher file still loads as before, with role `teacher`.
    let teacherPath = (dir as NSString).appendingPathComponent("teacher.safetensors")
    try UnsupervisedLifter.export(teacher, to: teacherPath)
    #expect(try UnsupervisedLifter.load(path: teacherPath).metadata["role"] == "teacher")
  }

  /// A file whose role is unknown is refused with the path in the message.
  @Test func unknownRoleIsRefused() throws {
    let teacher = try UnsupervisedTrainer(config: smallConfig(width: 8))
    let dir = try TestFiles.makeTemporaryFolder("posetraining")
    let path = (dir as NSString).appendingPathComponent("odd.safetensors")
    var writer = SafeTensorsWriter(metadata: [
      "format": UnsupervisedLifter.format, "config": try teacher.config.json(), "role": "assistant",
    ])
    for p in teacher.objective.lifter.parameters {
      try writer.add(p.name, floats: p.value.values, shape: p.value.shape)
    }
    try writer.write(to: path)
    do {
      _ = try UnsupervisedLifter.load(path: path)
      Issue.record("expected an error")
    } catch let e as TrainingError {
      #expect("\(e)".contains(path) && "\(e)".contains("role"))
    }
  }
}

@Suite struct UnsupervisedStudentConfigTests {
  @Test func badStudentSettingsAreRejected() throws {
    func rejected(_ change: (inout UnsupervisedStudentConfig) -> Void) -> Bool {
      var c = UnsupervisedConfig()
      change(&c.student)
      do {
        try c.validate()
        return false
      } catch { return error is TrainingError }
    }
    #expect(!rejected { _ in })
    #expect(rejected { $0.temporalFrames = 1 })
    #expect(rejected { $0.temporalFrames = 4 })
    #expect(rejected { $0.temporalGap = 0 })
    #expect(rejected { $0.temporalGap = Pose2DBank.maxWindowGap + 1 })
    #expect(rejected { $0.temporalWeight = -1 })
    #expect(rejected { $0.distillationWeight = .nan })
    #expect(rejected { $0.distillationRate = 0 })
    #expect(rejected { $0.finetuneRate = .infinity })
    #expect(rejected { $0.network = ResidualMLPConfig(inputs: 34, outputs: 51, width: 8, blocks: 1) })
    #expect(rejected { $0.network = ResidualMLPConfig(inputs: 34, outputs: 16, width: 0, blocks: 1) })
    #expect(throws: TrainingError.self) {
      try UnsupervisedTrainer(config: UnsupervisedConfig(), name: "assistant")
    }
    // A partial JSON sets only what it names; a bad value is refused naming the file.
    let partial = try UnsupervisedConfig.decode(
      Data(#"{"student": {"temporalWeight": 2.5, "temporalFrames": 3}}"#.utf8), path: "p.json")
    var expected = UnsupervisedStudentConfig()
    expected.temporalWeight = 2.5
    expected.temporalFrames = 3
    #expect(partial.student == expected && partial.batchSize == UnsupervisedConfig().batchSize)
    do {
      _ = try UnsupervisedConfig.decode(Data(#"{"student": {"temporalGap": 0}}"#.utf8), path: "q.json")
      Issue.record("expected an error")
    } catch let e as TrainingError {
      #expect("\(e)".contains("temporalGap"))
    }
    do {
      _ = try UnsupervisedConfig.decode(Data(#"{"student": {"temporalWeight": "x"}}"#.utf8), path: "r.json")
      Issue.record("expected an error")
    } catch let e as TrainingError {
      #expect("\(e)".contains("r.json"))
    }
  }
}
