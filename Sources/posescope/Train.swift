// posescope: `train` — trains the 2D→3D lifter with AITE's adjustment network on BVH / JSON / CSV poses.
import ArgumentParser
import Dispatch
import Foundation
import PoseScope
import PoseTraining

struct Train: ParsableCommand {
  static let configuration = CommandConfiguration(
    abstract: "Train the 2D→3D lifter (AITE: prediction network + training-only adjustment network).",
    discussion: """
      Data: BVH files or folders of them (rig detected: cmu-iclone or cmu-131, or --rig), or JSON/CSV
      H36M-17 sequences (see PoseTraining.PoseSequence). 2D inputs come from random virtual cameras with
      per-sample bone-length scaling. Validation sets (--val) are reported per folder and together.
      The checkpoint --out is written atomically every --checkpoint-every steps and at the end; --resume
      continues from it. --export writes the prediction network alone (the file `eval` and the app load).
      Settings not given as options come from --config (a partial TrainingConfig JSON) or the defaults.
      """)

  @Option(parsing: .upToNextOption, help: "Training data: BVH/JSON/CSV files or folders.")
  var data: [String]

  @Option(parsing: .upToNextOption, help: "Validation data (files or folders); reported per folder.")
  var val: [String] = []

  @Option(help: "BVH joint map: cmu-iclone, cmu-131 or a JSON file (default: detect per file).")
  var rig: String?

  @Option(help: "A TrainingConfig JSON file; missing keys take defaults; options below override it.")
  var config: String?

  @Option(name: .customLong("aite-stages"), help: "Number K of DCM stages (0 = plain training).")
  var aiteStages: Int?

  @Option(help: "Train for this many epochs of the training poses.")
  var epochs: Int?

  @Option(help: "Train for this many steps (default 6000 unless --epochs).")
  var steps: Int?

  @Option(help: "Batch size.")
  var batch: Int?

  @Option(help: "OpenBLAS threads.")
  var threads: Int?

  @Option(help: "Random seed.")
  var seed: UInt64?

  @Option(help: "Hidden width of the lifter.")
  var width: Int?

  @Option(help: "Residual blocks of the lifter.")
  var blocks: Int?

  @Option(help: "Base learning rate.")
  var lr: Double?

  @Option(name: .customLong("lambda"), help: "Weight λ of the adjusted-pose loss.")
  var lambda: Double?

  @Option(help: "Weight μ of the online-distillation term.")
  var distill: Double?

  @Option(name: .customLong("input-joints"), help: "2D joint definitions: dataset or blazepose.")
  var inputJoints: String?

  @Option(help: "2D noise σ as a fraction of the 2D pose scale (detector-like), e.g. 0.03.")
  var noise: Double?

  @Option(name: .customLong("outliers"), help: "Probability of a 2D outlier joint, e.g. 0.02.")
  var outliers: Double?

  @Option(
    name: .customLong("init-lifter"),
    help:
      "Start the prediction network from this trained lifter (its width, blocks, output scale and 2D joint definitions are used)."
  )
  var initLifter: String?

  @Flag(
    name: .customLong("freeze-lifter"),
    help:
      "Keep the prediction network fixed and train only the adjustment network A on its outputs (needs --init-lifter and K ≥ 1): the A that estimate --consistent-bones can run at inference."
  )
  var freezeLifter = false

  @Option(help: "Checkpoint file (safetensors).")
  var out: String

  @Flag(help: "Continue from the checkpoint --out when it exists.")
  var resume = false

  @Option(name: .customLong("checkpoint-every"), help: "Write the checkpoint every N steps.")
  var checkpointEvery: Int = 1000

  @Option(name: .customLong("val-every"), help: "Validate every N steps (0: only at the end).")
  var valEvery: Int = 1000

  @Option(name: .customLong("val-stride"), help: "Use every N-th validation frame.")
  var valStride: Int = 2

  @Option(help: "Also write the prediction network alone (with provenance metadata) to this file.")
  var export: String?

  @Option(name: .customLong("note"), help: "Provenance text stored in the exported file's metadata.")
  var note: String?

  @Flag(help: "No progress bar.")
  var quiet = false

  @Flag(help: ArgumentHelp("Learn 3D from 2D alone (no 3D labels).", discussion: TrainUnsupervised.help))
  var unsupervised = false

  @Option(
    name: .customLong("student-steps"),
    help: "With --unsupervised: distillation steps of the student (default 1500; 0: no student).")
  var studentSteps: Int?

  @Option(
    name: .customLong("finetune-steps"),
    help: "With --unsupervised: joint temporal fine-tune steps of teacher and student (default 1000).")
  var finetuneSteps: Int?

  @Option(
    name: .customLong("warm-start-steps"),
    help:
      "With --unsupervised and a supervised --init-lifter: steps fitting the teacher to it (default 1000).")
  var warmStartSteps: Int?

  @Option(
    name: .customLong("compare-lifter"),
    help: ArgumentHelp(
      "With --unsupervised --val: also score this supervised lifter on the same validation poses.",
      valueName: "file"))
  var compareLifter: String?

  @Option(
    name: .customLong("teacher-out"),
    help: "With --unsupervised: also write the teacher (after its own stage) to this file.")
  var teacherOut: String?

  func validate() throws {
    guard !data.isEmpty else { throw ValidationError("--data needs at least one path") }
    if let s = steps, s < 1 || s > 100_000_000, !(s == 0 && unsupervised && initLifter != nil) {
      throw ValidationError("--steps must be 1…100000000 (0 only with --unsupervised --init-lifter)")
    }
    for (name, value) in [("--student-steps", studentSteps), ("--finetune-steps", finetuneSteps)] {
      guard let value else { continue }
      guard unsupervised else { throw ValidationError("\(name) needs --unsupervised") }
      guard (0...100_000_000).contains(value) else { throw ValidationError("\(name) must be 0…100000000") }
    }
    if teacherOut != nil && !unsupervised { throw ValidationError("--teacher-out needs --unsupervised") }
    if let w = warmStartSteps, !unsupervised || initLifter == nil || !(0...100_000_000).contains(w) {
      throw ValidationError("--warm-start-steps needs --unsupervised and --init-lifter, and is 0…100000000")
    }
    if compareLifter != nil && (!unsupervised || val.isEmpty) {
      throw ValidationError("--compare-lifter needs --unsupervised and --val")
    }
    if studentSteps == 0, let f = finetuneSteps, f > 0 {
      throw ValidationError("--finetune-steps needs a student (--student-steps ≥ 1)")
    }
    if let e = epochs, e < 1 || e > 100_000 { throw ValidationError("--epochs must be 1…100000") }
    if steps != nil && epochs != nil { throw ValidationError("give --steps or --epochs, not both") }
    if let k = aiteStages, k < 0 || k > 16 { throw ValidationError("--aite-stages must be 0…16") }
    if let b = batch, b < 1 || b > 65_536 { throw ValidationError("--batch must be 1…65536") }
    if let t = threads, t < 1 || t > 64 { throw ValidationError("--threads must be 1…64") }
    if let j = inputJoints, InputJointDefinition(rawValue: j) == nil {
      throw ValidationError("--input-joints must be dataset or blazepose")
    }
    if freezeLifter && initLifter == nil {
      throw ValidationError("--freeze-lifter needs --init-lifter FILE (the lifter to keep fixed)")
    }
    guard checkpointEvery >= 1, valEvery >= 0, valStride >= 1 else {
      throw ValidationError("--checkpoint-every and --val-stride must be ≥ 1, --val-every ≥ 0")
    }
  }

  /// The configuration from --config and the options.
  func makeConfig() throws -> TrainingConfig {
    var c = TrainingConfig()
    if let path = config {
      guard let bytes = FileManager.default.contents(atPath: path) else {
        throw CLIError("cannot read --config \(path)")
      }
      c = try TrainingConfig.decode(bytes, path: path)
    }
    if let v = aiteStages { c.adjustment.stages = v }
    if let v = batch { c.batchSize = v }
    if let v = threads { c.threads = v }
    if let v = seed { c.seed = v }
    if let v = width { c.network.width = v }
    if let v = blocks { c.network.blocks = v }
    if let v = lr { c.schedule.base = v }
    if let v = lambda { c.adjustedLossWeight = v }
    if let v = distill { c.distillationWeight = v }
    if let v = inputJoints.flatMap(InputJointDefinition.init(rawValue:)) { c.augmentation.inputJoints = v }
    if let v = noise { c.augmentation.relativeKeypointNoise = v }
    if let v = outliers { c.augmentation.outlierProbability = v }
    if let lifter = try initialLifter() {
      c.network = lifter.config.network
      c.outputScale = lifter.config.outputScale
      c.augmentation.inputJoints = lifter.config.augmentation.inputJoints
    }
    c.freezePredictor = freezeLifter
    try c.validate()
    return c
  }

  /// The lifter of --init-lifter, loaded once.
  func initialLifter() throws -> LifterModel? {
    guard let path = initLifter else { return nil }
    return try LifterModel.load(path: path)
  }

  func run() throws {
    if unsupervised { return try TrainUnsupervised.run(self) }
    do {
      try train()
    } catch let e as CLIError {
      throw e
    } catch {
      throw CLIError("\(error)")
    }
  }

  func train() throws {
    let map = try rig.map(PoseDataset.jointMap(named:))
    let t0 = Date()
    let sequences = try PoseDataset.load(data, rig: map)
    let poses = sequences.flatMap(\.poses)
    printError(
      "training data: \(poses.count) poses in \(sequences.count) sequences "
        + String(format: "(loaded in %.1f s)", Date().timeIntervalSince(t0)))

    let trainer: AITETrainer
    if resume, FileManager.default.fileExists(atPath: out) {
      trainer = try AITETrainer.resume(from: out)
      printError("resumed \(out) at step \(trainer.step) (its configuration is used; options are ignored)")
    } else {
      if resume { printError("no checkpoint at \(out) yet; starting a new run") }
      trainer = try AITETrainer(config: try makeConfig())
      if let lifter = try initialLifter() {
        try trainer.loadPredictor(from: lifter)
        printError(
          "prediction network from \(initLifter ?? "")"
            + (freezeLifter ? " (frozen: training the adjustment network only)" : ""))
      }
    }
    let config = trainer.config
    let stepsPerEpoch = (poses.count + config.batchSize - 1) / config.batchSize
    let total = steps ?? epochs.map { $0 * stepsPerEpoch } ?? 6000

    let validation = try ValidationSets(
      paths: val, rig: map, config: config, stride: valStride, seed: 7)
    printError(
      "lifter \(config.network.width)×\(config.network.blocks) blocks, K = \(config.adjustment.stages), "
        + "batch \(config.batchSize), \(config.threads) thread(s), steps \(trainer.step)→\(total), "
        + "2D: \(config.augmentation.inputJoints.rawValue)")

    let bar = TrainingProgress(total: total, enabled: !quiet)
    var stepSeconds = 0.0
    var dataSeconds = 0.0
    var stepsTimed = 0
    var lastLoss = 0.0
    var lastValidation = ""
    var recentLoss: [Double] = []
    while trainer.step < total {
      let s = trainer.step
      let a = DispatchTime.now().uptimeNanoseconds
      let batch = try trainer.trainingBatch(step: s, poses: poses)
      let b = DispatchTime.now().uptimeNanoseconds
      let report = trainer.trainStep(batch)
      let c = DispatchTime.now().uptimeNanoseconds
      dataSeconds += Double(b - a) / 1e9
      stepSeconds += Double(c - b) / 1e9
      stepsTimed += 1
      guard report.predictionLoss.isFinite else {
        throw CLIError("training diverged at step \(s) (loss \(report.predictionLoss)); try a lower --lr")
      }
      recentLoss.append(report.predictionLoss)
      if recentLoss.count > 50 { recentLoss.removeFirst() }
      lastLoss = recentLoss.reduce(0, +) / Double(recentLoss.count)
      let done = trainer.step
      if valEvery > 0, done % valEvery == 0, done < total, !validation.isEmpty {
        lastValidation = try validation.summary(trainer)
        bar.log("step \(done): loss \(String(format: "%.1f", lastLoss)) mm; val \(lastValidation)")
      }
      if done % checkpointEvery == 0, done < total { try trainer.saveCheckpoint(to: out) }
      let rate = Double(stepsTimed) / max(stepSeconds + dataSeconds, 1e-9)
      bar.update(
        step: done, stepsPerSecond: rate, samplesPerSecond: rate * Double(config.batchSize), loss: lastLoss,
        adjusted: report.adjustedLoss, validation: lastValidation)
    }
    bar.finish()
    try trainer.saveCheckpoint(to: out)
    print("checkpoint: \(out) (step \(trainer.step))")
    if !validation.isEmpty { try validation.printReport(trainer) }
    if let export {
      var meta = [
        "data": data.joined(separator: " "), "validation": val.joined(separator: " "),
        "acknowledgment": Self.cmuAcknowledgment, "trained_steps": String(trainer.step),
      ]
      if let note { meta["provenance"] = note }
      if let lifter = try initialLifter() {
        // Where P came from: its own training configuration and steps travel with the file.
        meta["predictor_from"] =
          (initLifter.map { URL(fileURLWithPath: $0).lastPathComponent } ?? "")
          + (freezeLifter ? " (frozen)" : " (fine-tuned)")
        meta["predictor_config"] = lifter.metadata["predictor_config"] ?? lifter.metadata["config"]
        meta["predictor_trained_steps"] =
          lifter.metadata["predictor_trained_steps"] ?? lifter.metadata["trained_steps"]
      }
      try LifterModel.export(trainer, to: export, metadata: meta)
      print("exported lifter: \(export)")
    }
    if stepsTimed > 0 {
      let b = Double(config.batchSize)
      print(
        String(
          format:
            "throughput: %.0f samples/s training (forward + backward of P and A + Adam), "
            + "%.0f samples/s with batch generation; batch %d, %d thread(s), %d steps timed",
          b * Double(stepsTimed) / stepSeconds, b * Double(stepsTimed) / (stepSeconds + dataSeconds),
          config.batchSize, config.threads, stepsTimed))
    }
  }

  /// CMU's requested acknowledgment (../shared/mocap/README.md).
  static let cmuAcknowledgment =
    "The data used in this project was obtained from mocap.cs.cmu.edu. The database was created with "
    + "funding from NSF EIA-0196217."
}

/// Validation sets grouped by folder, plus all together.
struct ValidationSets {
  var groups: [(name: String, set: EvaluationSet)] = []
  var all: EvaluationSet?

  var isEmpty: Bool { groups.isEmpty }

  init(
    paths: [String], rig: JointMap?, config: TrainingConfig, stride: Int, seed: UInt64,
    augmentation: AugmentationConfig? = nil, cameraPerSequence: Bool = false
  ) throws {
    guard !paths.isEmpty else { return }
    let files = try PoseDataset.resolve(paths)
    let generator = try SampleGenerator(
      camera: config.camera, augmentation: augmentation ?? config.augmentation.withoutNoise)
    for g in PoseDataset.groupByFolder(files) {
      let seqs = try PoseDataset.load(g.files, rig: rig)
      let set = try EvaluationSet.make(
        seqs, generator: generator, seed: seed, stride: stride, cameraPerSequence: cameraPerSequence)
      groups.append(((g.folder as NSString).lastPathComponent, set))
    }
    all = groups.count > 1 ? EvaluationSet.merged(groups.map(\.set)) : groups.first?.set
  }

  func metrics(_ predict: (Matrix<Float>) -> Matrix<Float>) throws -> [(String, LifterMetrics)] {
    var out: [(String, LifterMetrics)] = []
    for g in groups { out.append((g.name, try g.set.evaluate(predict))) }
    if groups.count > 1, let all { out.append(("all", try all.evaluate(predict))) }
    return out
  }

  func summary(_ trainer: AITETrainer) throws -> String {
    guard let all else { return "" }
    let m = try all.evaluate { trainer.predict($0) }
    return String(format: "MPJPE %.1f PA %.1f bone %.1f", m.mpjpe, m.paMPJPE, m.boneLengthError)
  }

  func printReport(_ trainer: AITETrainer) throws {
    try Self.printTable(metrics { trainer.predict($0) })
  }

  static func printTable(_ rows: [(String, LifterMetrics)]) {
    print("set            poses  MPJPE  PA-MPJPE  bone err  bone std   (mm)")
    for (name, m) in rows {
      print(
        String(
          format: "%@ %6d %6.1f %9.1f %9.1f %9.1f", name.padding(toLength: 14, withPad: " ", startingAt: 0),
          m.count, m.mpjpe, m.paMPJPE, m.boneLengthError, m.boneLengthStd))
    }
  }
}

/// The training progress line on standard error (a terminal only); `log` prints a line above it.
final class TrainingProgress {
  let total: Int
  let enabled: Bool
  var lastDraw = Date.distantPast

  init(total: Int, enabled: Bool) {
    self.total = total
    self.enabled = enabled && isatty(2) == 1
  }

  func log(_ line: String) {
    let prefix = enabled ? "\r\u{1B}[K" : ""
    FileHandle.standardError.write(Data((prefix + line + "\n").utf8))
    lastDraw = .distantPast
  }

  func update(
    step: Int, stepsPerSecond: Double, samplesPerSecond: Double, loss: Double, adjusted: Double?,
    validation: String
  ) {
    guard enabled, Date().timeIntervalSince(lastDraw) > 0.25 || step == total else { return }
    lastDraw = Date()
    let width = 24
    let done = total > 0 ? min(width, width * step / total) : width
    let bar = String(repeating: "█", count: done) + String(repeating: "░", count: width - done)
    var line = String(
      format: "\r%@ %d/%d %.1f steps/s %.0f samples/s loss %.1f", bar, step, total, stepsPerSecond,
      samplesPerSecond, loss)
    if let adjusted { line += String(format: " A %.1f", adjusted) }
    if !validation.isEmpty { line += " | val " + validation }
    FileHandle.standardError.write(Data((line + "\u{1B}[K").utf8))
  }

  func finish() {
    guard enabled else { return }
    FileHandle.standardError.write(Data("\n".utf8))
  }
}
