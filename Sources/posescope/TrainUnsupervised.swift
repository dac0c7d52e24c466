// posescope: `train --unsupervised` — trains the lifter from 2D poses alone (estimate JSON or projected
// mocap) with self-consistency, adversarial and bone-symmetry losses; validates on mocap 3D.
import Dispatch
import Foundation
import PoseCore
import PoseTraining

/// The unsupervised branch of `posescope train`.
enum TrainUnsupervised {
  /// Help text appended to `train`'s discussion.
  static let help = """
    --unsupervised: learn 3D from 2D alone (Chen et al. 2019 self-consistency + a 2D pose discriminator +
    bone symmetry). --data: `posescope estimate` JSON documents (h36m17_image per frame, grouped by
    sequence) or mocap (BVH/CSV/pose JSON, projected through one random camera per sequence; its 3D is not
    used). --val: mocap whose projections are lifted and compared with its 3D (PA-MPJPE and N-MPJPE: the
    scale is arbitrary). --out: the trained lifter (format posescope-unsupervised-lifter/1). --config: a
    partial UnsupervisedConfig JSON. --init-lifter: a previous unsupervised lifter to continue from.
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

  static func train(_ o: Train) throws {
    let rig = try o.rig.map(PoseDataset.jointMap(named:))
    let initial = try o.initLifter.map { try UnsupervisedLifter.load(path: $0) }
    let config = try makeConfig(o, initial: initial)
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
    let trainer = try UnsupervisedTrainer(config: config)
    if let initial {
      try trainer.loadLifter(from: initial)
      printError("lifter initialised from \(o.initLifter ?? "")")
    }
    let total = o.steps ?? 3000
    printError(
      "unsupervised lifter \(config.network.width)×\(config.network.blocks) blocks, discriminator "
        + "\(config.discriminatorWidth), batch \(config.batchSize), \(config.threads) thread(s), \(total) steps"
    )
    let progress = TrainingProgress(total: total, enabled: !o.quiet)
    var recent: [UnsupervisedStepReport] = []
    var validation = ""
    let start = Date()
    let logEvery = max(1, min(500, total / 10))
    while trainer.step < total {
      let report = trainer.trainStep(bank)
      guard report.losses.total.isFinite else {
        throw CLIError(
          "training diverged at step \(report.step) (loss \(report.losses.total)); try a lower --lr")
      }
      recent.append(report)
      if recent.count > 50 { recent.removeFirst() }
      let done = trainer.step
      let line = summary(recent)
      if o.valEvery > 0, done % o.valEvery == 0, done < total, let truth {
        let m = try trainer.evaluate(truth)
        validation = String(format: "PA %.1f N %.1f mm depth×%.2f", m.paMPJPE, m.nMPJPE, m.depthRatio)
      }
      if done % logEvery == 0 || done == total {
        progress.log(
          "step \(done): \(line)" + (validation.isEmpty ? "" : "; val " + validation)
            + String(format: " (%.1f steps/s)", Double(done) / max(Date().timeIntervalSince(start), 1e-9)))
      }
      let rate = Double(done) / max(Date().timeIntervalSince(start), 1e-9)
      progress.update(
        step: done, stepsPerSecond: rate, samplesPerSecond: rate * Double(config.batchSize),
        loss: recent.map(\.losses.total).reduce(0, +) / Double(recent.count), adjusted: nil,
        validation: validation)
    }
    progress.finish()
    var meta = [
      "data": o.data.joined(separator: " "), "validation": o.val.joined(separator: " "),
      "trained_steps": String(trainer.step),
      "acknowledgment": Train.cmuAcknowledgment,
    ]
    if let note = o.note { meta["provenance"] = note }
    if let path = o.initLifter { meta["initialised_from"] = URL(fileURLWithPath: path).lastPathComponent }
    try UnsupervisedLifter.export(trainer, to: o.out, metadata: meta)
    print("unsupervised lifter: \(o.out) (step \(trainer.step))")
    if let truth {
      let m = try trainer.evaluate(truth)
      print(
        String(
          format:
            "validation: %d poses  PA-MPJPE %.1f mm  N-MPJPE %.1f mm  (depth-mirrored PA-MPJPE %.1f mm, "
            + "depth range ×%.2f of the truth)",
          m.count, m.paMPJPE, m.nMPJPE, m.mirroredPAMPJPE, m.depthRatio))
    }
    print(
      String(
        format: "time: %.0f s for %d steps (%.2f steps/s, batch %d, %d thread(s))",
        Date().timeIntervalSince(start), total, Double(total) / max(Date().timeIntervalSince(start), 1e-9),
        config.batchSize, config.threads))
  }

  /// Mean losses of the recent steps: L3D, L2D, adversarial, symmetry, discriminator.
  static func summary(_ reports: [UnsupervisedStepReport]) -> String {
    let n = Double(max(reports.count, 1))
    func mean(_ f: (UnsupervisedStepReport) -> Double) -> Double { reports.map(f).reduce(0, +) / n }
    return String(
      format: "L3D %.4f L2D %.4f adv %.3f sym %.5f chir %.4f D %.3f",
      mean { $0.losses.consistency3D }, mean { $0.losses.consistency2D }, mean { $0.losses.adversarial },
      mean { $0.losses.symmetry }, mean { $0.losses.chirality }, mean { $0.discriminatorLoss })
  }
}
