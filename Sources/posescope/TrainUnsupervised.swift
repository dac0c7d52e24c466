// posescope: `train --unsupervised` — trains the lifter from 2D poses alone (estimate JSON or projected
// mocap) with self-consistency, adversarial and bone-symmetry losses; validates on mocap 3D.
import Dispatch
import Foundation
import PoseScope
import PoseTraining

/// The unsupervised branch of `posescope train`.
enum TrainUnsupervised {
  /// Help text appended to `train`'s discussion.
  static let help = """
    --unsupervised: learn 3D from 2D alone, PoseNet3D style, in three stages: (1) a teacher (Chen et al. \
    2019 self-consistency + a 2D pose discriminator + bone symmetry and chirality priors), --steps N \
    (default 3000; 0 with --init-lifter keeps that lifter as the teacher); (2) a student distilled from the \
    teacher's 3D, --student-steps N (default 1500; 0: no student); (3) teacher and student fine-tuned \
    jointly with a scale-aware temporal smoothness loss over neighbouring frames of one sequence plus the \
    teacher's losses, --finetune-steps N (default 1000; 0: none). --data: `posescope estimate` JSON \
    documents (h36m17_image per frame, grouped by sequence) or mocap (BVH/CSV/pose JSON, projected through \
    one random camera per sequence; its 3D is not used). --val: mocap whose projections are lifted and \
    compared with its 3D (PA-MPJPE and N-MPJPE: the scale is arbitrary), printed for the teacher after its \
    stage and for the student at the end. --out: the final lifter (the student, metadata role=student, or \
    the teacher when --student-steps 0; format posescope-unsupervised-lifter/1). --teacher-out: the teacher \
    after stage 1. --config: a partial UnsupervisedConfig JSON (the student's settings under "student"). \
    --init-lifter: a previous unsupervised lifter (teacher or student) to start the teacher from, or a \
    supervised lifter (e.g. the shipped one) that the teacher is first fitted to for --warm-start-steps \
    (default 1000): its depths, brought into the teacher's normalised units.
    """

  static func run(_ o: Train) throws {
    do {
      try train(o)
    } catch let e as CLIError {
      throw e
    } catch {
      throw CLIError("\(error)")
    }
  }

  /// The configuration from --config and the options.
  static func makeConfig(_ o: Train, initial: UnsupervisedLifter?) throws -> UnsupervisedConfig {
    var c = UnsupervisedConfig()
    if let path = o.config {
      guard let bytes = FileManager.default.contents(atPath: path) else {
        throw CLIError("cannot read --config \(path)")
      }
      c = try UnsupervisedConfig.decode(bytes, path: path)
    }
    if let v = o.batch { c.batchSize = v }
    if let v = o.threads { c.threads = v }
    if let v = o.seed { c.seed = v }
    if let v = o.width { c.network.width = v }
    if let v = o.blocks { c.network.blocks = v }
    if let v = o.lr { c.lifterRate = v }
    if let initial { c.network = initial.config.network }
    try c.validate()
    return c
  }

  /// 2D-only training sequences from the data paths; mocap files are projected and their 3D dropped.
  static func loadTraining(
    _ paths: [String], rig: JointMap?, noise: Double?, seed: UInt64, camera: VirtualCameraConfig
  ) throws -> [Pose2DSequence] {
    var augmentation = AugmentationConfig()
    augmentation.relativeKeypointNoise = noise ?? 0
    let generator = try SampleGenerator(camera: camera, augmentation: augmentation)
    var out: [Pose2DSequence] = []
    for (i, file) in try PoseDataset.resolve(paths).enumerated() {
      let fileSeed = seed &+ 0x9E37_79B9_7F4A_7C15 &* UInt64(i + 1)
      if (file as NSString).pathExtension.lowercased() == "json",
        let sequences = try? Pose2DSequence.loadEstimate(path: file)
      {
        out += sequences
        continue
      }
      // Mocap: one random camera per sequence; only the 2D view is kept.
      out += try ProjectedMocap.make(PoseDataset.load([file], rig: rig), generator: generator, seed: fileSeed)
        .sequences
    }
    return out
  }

  /// Default steps of the three stages.
  static let defaultSteps = (teacher: 3000, student: 1500, finetune: 1000)
  /// Default steps of the warm start from a supervised --init-lifter.
  static let defaultWarmStartSteps = 1000

  static func train(_ o: Train) throws {
    let rig = try o.rig.map(PoseDataset.jointMap(named:))
    // --init-lifter: an unsupervised lifter starts the teacher as it is; a supervised one is distilled
    // into it first (the warm start), its depths brought into the teacher's normalised units.
    var initial: UnsupervisedLifter? = nil
    var supervisedInit: LifterModel? = nil
    switch try o.initLifter.map({ try loadTrainedLifter($0) }) {
    case .unsupervised(let model, _)?: initial = model
    case .supervised(let model)?: supervisedInit = model
    case nil: break
    }
    let config = try makeConfig(o, initial: initial)
    let teacherSteps = o.steps ?? defaultSteps.teacher
    let studentSteps = o.studentSteps ?? defaultSteps.student
    let finetuneSteps = studentSteps > 0 ? (o.finetuneSteps ?? defaultSteps.finetune) : 0
    let t0 = Date()
    let sequences = try loadTraining(
      o.data, rig: rig, noise: o.noise, seed: config.seed, camera: config.camera)
    let bank = try Pose2DBank(sequences)
    printError(
      "training data: \(bank.count) 2D poses in \(sequences.count) sequences "
        + String(format: "(loaded in %.1f s)", Date().timeIntervalSince(t0)))
    var truth: EvaluationSet? = nil
    if !o.val.isEmpty {
      let generator = try SampleGenerator(camera: config.camera, augmentation: AugmentationConfig())
      let mocap = try PoseDataset.load(o.val, rig: rig)
      truth = try ProjectedMocap.make(mocap, generator: generator, seed: 7, stride: o.valStride).truth
      printError(
        "validation: \(truth?.count ?? 0) poses (2D from one random camera per sequence, elevation "
          + "\(config.camera.minElevation)…\(config.camera.maxElevation)°)")
    }
    if let path = o.compareLifter, let truth {
      // The supervised lifter on the same 2D, scored the same way (PA-MPJPE and N-MPJPE are scale-free).
      let model = try loadTrainedLifter(path)
      guard let supervised = model.supervised else {
        throw CLIError("--compare-lifter \(path) is an \(model.summary); give a supervised lifter")
      }
      printValidation(
        "supervised \(URL(fileURLWithPath: path).lastPathComponent)",
        try UnsupervisedMetrics.compute(predictions: supervised.poses(truth.inputs), truth: truth))
    }
    let trainer = try UnsupervisedTrainer(config: config)
    if let initial {
      try trainer.loadLifter(from: initial)
      printError("lifter initialised from \(o.initLifter ?? "")")
    }
    if let supervisedInit {
      let steps = o.warmStartSteps ?? defaultWarmStartSteps
      printError(
        "warm start: the teacher fitted to the supervised lifter \(o.initLifter ?? "") for \(steps) steps")
      var warmStep = 0
      try runStage(
        "warm start", steps: steps, quiet: o.quiet, batch: config.batchSize,
        validate: valCallback(o, truth) { try trainer.evaluate($0) }
      ) {
        let r = trainer.warmStartStep(bank, from: supervisedInit, step: warmStep)
        warmStep += 1
        guard r.fit.isFinite else {
          throw CLIError("the warm start diverged (fit \(r.fit)); try a lower --lr")
        }
        return [r.fit, r.discriminatorLoss]
      } describe: {
        String(format: "fit %.4f D %.3f", $0[0], $0[1])
      }
      if let truth { try printValidation("teacher after the warm start", trainer.evaluate(truth)) }
    }
    var meta = [
      "data": o.data.joined(separator: " "), "validation": o.val.joined(separator: " "),
      "acknowledgment": Train.cmuAcknowledgment,
    ]
    if let note = o.note { meta["provenance"] = note }
    if let path = o.initLifter { meta["initialised_from"] = URL(fileURLWithPath: path).lastPathComponent }
    let start = Date()

    // Stage 1: the teacher.
    printError(
      "teacher \(config.network.width)×\(config.network.blocks) blocks, discriminator "
        + "\(config.discriminatorWidth), batch \(config.batchSize), \(config.threads) thread(s), "
        + "\(teacherSteps) steps")
    try runStage(
      "teacher", steps: teacherSteps, quiet: o.quiet, batch: config.batchSize,
      validate: valCallback(o, truth) { try trainer.evaluate($0) }
    ) {
      let report = trainer.trainStep(bank)
      guard report.losses.total.isFinite else {
        throw CLIError(
          "training diverged at teacher step \(report.step) (loss \(report.losses.total)); try a lower --lr")
      }
      return summaryValues(report)
    } describe: {
      summary($0)
    }
    let teacherSeconds = Date().timeIntervalSince(start)
    var teacherMeta = meta
    teacherMeta["trained_steps"] = String(trainer.step)
    if let path = o.teacherOut ?? (studentSteps == 0 ? o.out : nil) {
      try UnsupervisedLifter.export(trainer, to: path, metadata: teacherMeta)
      print("unsupervised teacher: \(path) (step \(trainer.step))")
    }
    if let truth { try printValidation("teacher", trainer.evaluate(truth)) }
    print(
      String(
        format: "time: %.0f s for %d teacher steps (batch %d, %d thread(s))", teacherSeconds, teacherSteps,
        config.batchSize, config.threads))
    guard studentSteps > 0 else { return }

    // Stage 2: distillation into the student.
    let students = try UnsupervisedStudentTrainer(teacher: trainer)
    let windows = finetuneSteps > 0 ? try students.windows(bank) : []
    let studentNetwork = students.student.config.network
    printError(
      "student \(studentNetwork.width)×\(studentNetwork.blocks) blocks: \(studentSteps) distillation steps "
        + String(format: "(rate %g)", config.student.distillationRate))
    let held = bank.inputs.gatherRows(
      Array(Swift.stride(from: 0, to: bank.count, by: max(1, bank.count / 2048))))
    let gapBefore = students.gap(held)
    let distillStart = Date()
    try runStage(
      "student", steps: studentSteps, quiet: o.quiet, batch: config.batchSize,
      validate: valCallback(o, truth) { try students.evaluate($0) }
    ) {
      let report = students.distillStep(bank)
      guard report.distillation.isFinite else {
        throw CLIError("distillation diverged at step \(report.step); try a lower distillationRate")
      }
      return [report.distillation, report.discriminatorLoss]
    } describe: {
      String(format: "KD %.4f D %.3f", $0[0], $0[1])
    }
    let distillSeconds = Date().timeIntervalSince(distillStart)
    print(
      String(
        format:
          "distillation: student–teacher gap %.4f → %.4f (normalised units, %d poses); %.0f s for %d steps",
        gapBefore, students.gap(held), held.rows, distillSeconds, studentSteps))
    if let truth { try printValidation("student after distillation", students.evaluate(truth)) }

    // Stage 3: joint fine-tune with the temporal loss.
    if finetuneSteps > 0 {
      let s = config.student
      printError(
        "fine-tune: \(finetuneSteps) steps, \(windows.count) windows of \(s.temporalFrames) frames "
          + "\(s.temporalGap) apart, temporal weight \(s.temporalWeight), distillation weight "
          + "\(s.distillationWeight), rate \(s.finetuneRate)\(s.finetuneTeacher ? "" : ", teacher fixed")")
      let finetuneStart = Date()
      try runStage(
        "fine-tune", steps: finetuneSteps, quiet: o.quiet, batch: config.batchSize,
        validate: valCallback(o, truth) { try students.evaluate($0) }
      ) {
        let report = students.finetuneStep(bank, windows: windows)
        guard report.student.total.isFinite, report.teacher.total.isFinite else {
          throw CLIError("fine-tune diverged at step \(report.step); try a lower finetuneRate")
        }
        return finetuneValues(report)
      } describe: {
        finetuneSummary($0)
      }
      print(
        String(
          format: "fine-tune: %.0f s for %d steps", Date().timeIntervalSince(finetuneStart), finetuneSteps))
      if let truth, s.finetuneTeacher {
        try printValidation("teacher after fine-tune", trainer.evaluate(truth))
      }
    }
    var studentMeta = meta
    studentMeta["trained_steps"] = String(students.student.step)
    studentMeta["teacher_steps"] = teacherMeta["trained_steps"]
    studentMeta["student_steps"] = String(students.distillationStep)
    studentMeta["finetune_steps"] = String(students.finetuneStep)
    try UnsupervisedLifter.export(students.student, to: o.out, metadata: studentMeta)
    print("unsupervised student: \(o.out) (\(studentSteps) distillation + \(finetuneSteps) fine-tune steps)")
    if let truth { try printValidation("student", students.evaluate(truth)) }
    print(String(format: "time: %.0f s in all", Date().timeIntervalSince(start)))
  }

  /// The periodic validation of a stage (nil without --val or with --val-every 0).
  static func valCallback(
    _ o: Train, _ truth: EvaluationSet?, _ evaluate: @escaping (EvaluationSet) throws -> UnsupervisedMetrics
  ) -> ((Int) throws -> String)? {
    guard let truth, o.valEvery > 0 else { return nil }
    return { done in
      guard done % o.valEvery == 0 else { return "" }
      let m = try evaluate(truth)
      return String(format: "PA %.1f N %.1f mm depth×%.2f", m.paMPJPE, m.nMPJPE, m.depthRatio)
    }
  }

  /// Runs `steps` steps of one stage with a progress bar and a log line every ~10 %; `step` returns the
  /// step's values (the first is the loss of the bar), `describe` formats their mean over the last 50
  /// steps.
  static func runStage(
    _ name: String, steps: Int, quiet: Bool, batch: Int, validate: ((Int) throws -> String)?,
    step: () throws -> [Double], describe: ([Double]) -> String
  ) throws {
    guard steps > 0 else { return }
    let progress = TrainingProgress(total: steps, enabled: !quiet)
    var recent: [[Double]] = []
    var validation = ""
    let start = Date()
    let logEvery = max(1, min(500, steps / 10))
    for done in 1...steps {
      recent.append(try step())
      if recent.count > 50 { recent.removeFirst() }
      let mean = recent.dropFirst().reduce(recent[0]) { zip($0, $1).map(+) }.map { $0 / Double(recent.count) }
      if done < steps, let validate {
        let v = try validate(done)
        if !v.isEmpty { validation = v }
      }
      let rate = Double(done) / max(Date().timeIntervalSince(start), 1e-9)
      if done % logEvery == 0 || done == steps {
        progress.log(
          "\(name) step \(done): \(describe(mean))" + (validation.isEmpty ? "" : "; val " + validation)
            + String(format: " (%.1f steps/s)", rate))
      }
      progress.update(
        step: done, stepsPerSecond: rate, samplesPerSecond: rate * Double(batch),
        loss: mean[0], adjusted: nil, validation: validation)
    }
    progress.finish()
  }

  /// Prints one validation line.
  static func printValidation(_ label: String, _ m: UnsupervisedMetrics) {
    print(
      String(
        format:
          "validation (%@): %d poses  PA-MPJPE %.1f mm  N-MPJPE %.1f mm  (depth-mirrored PA-MPJPE %.1f mm, "
          + "depth range ×%.2f of the truth)",
        label, m.count, m.paMPJPE, m.nMPJPE, m.mirroredPAMPJPE, m.depthRatio))
  }

  /// A fine-tune step's values: the student's total, L3D, L2D, adversarial, temporal and distillation
  /// losses, the teacher's L3D and temporal loss, D's loss.
  static func finetuneValues(_ r: UnsupervisedFinetuneReport) -> [Double] {
    [
      r.student.total, r.student.consistency3D, r.student.consistency2D, r.student.adversarial,
      r.student.temporal, r.student.distillation, r.teacher.consistency3D, r.teacher.temporal,
      r.discriminatorLoss,
    ]
  }

  /// Formats the mean of `finetuneValues`.
  static func finetuneSummary(_ v: [Double]) -> String {
    String(
      format: "student L3D %.4f L2D %.4f adv %.3f temp %.4f KD %.4f; teacher L3D %.4f temp %.4f; D %.3f",
      v[1], v[2], v[3], v[4], v[5], v[6], v[7], v[8])
  }

  /// A teacher step's values: total, L3D, L2D, adversarial, symmetry, chirality, D's loss.
  static func summaryValues(_ r: UnsupervisedStepReport) -> [Double] {
    [
      r.losses.total, r.losses.consistency3D, r.losses.consistency2D, r.losses.adversarial,
      r.losses.symmetry, r.losses.chirality, r.discriminatorLoss,
    ]
  }

  /// Formats the mean of `summaryValues`.
  static func summary(_ v: [Double]) -> String {
    String(
      format: "L3D %.4f L2D %.4f adv %.3f sym %.5f chir %.4f D %.3f", v[1], v[2], v[3], v[4], v[5], v[6])
  }
}
