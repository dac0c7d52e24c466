// posescope: `eval` — accuracy of a trained lifter on BVH / JSON / CSV poses seen by virtual cameras.
import ArgumentParser
import Foundation
import PoseScope
import PoseTraining

struct Eval: ParsableCommand {
  static let configuration = CommandConfiguration(
    abstract: "Evaluate a trained lifter: MPJPE, PA-MPJPE, bone-length error and bone-length stability.",
    discussion: """
      The model is an exported lifter or a training checkpoint. Each data folder is reported separately,
      then all together. Samples: one bone-scaling draw per sequence (the model's training range), one
      random virtual camera per frame (the model's camera ranges), fixed --seed; clean 2D unless --noise.
      Bone std is the within-sequence standard deviation of each predicted bone length, averaged.
      """)

  @Option(help: "Lifter file (exported by train --export, or a training checkpoint).")
  var model: String

  @Option(parsing: .upToNextOption, help: "BVH/JSON/CSV files or folders.")
  var data: [String]

  @Option(help: "BVH joint map: cmu-iclone, cmu-131 or a JSON file (default: detect per file).")
  var rig: String?

  @Option(help: "Use every N-th frame.")
  var stride: Int = 1

  @Option(help: "Seed of the cameras and bone scaling.")
  var seed: UInt64 = 7

  @Option(help: "2D noise σ as a fraction of the 2D pose scale (default: clean 2D).")
  var noise: Double = 0

  @Option(help: "OpenBLAS threads.")
  var threads: Int = 2

  @Flag(
    name: .customLong("camera-per-sequence"),
    help: "One fixed virtual camera per sequence (a static video camera) instead of one per frame.")
  var cameraPerSequence = false

  @Flag(
    name: .customLong("consistent-bones"),
    help:
      "Also evaluate bone-length-consistent outputs: the projection onto the subject's lengths (true, or estimated from each sequence's raw output) and, when the lifter has a trained adjustment network, the DCM cascade at inference."
  )
  var consistentBones = false

  func validate() throws {
    guard !data.isEmpty else { throw ValidationError("--data needs at least one path") }
    guard stride >= 1 else { throw ValidationError("--stride must be ≥ 1") }
    guard noise >= 0, noise <= 1 else { throw ValidationError("--noise must be in [0, 1]") }
    guard threads >= 1, threads <= 64 else { throw ValidationError("--threads must be 1…64") }
  }

  func run() throws {
    do {
      try evaluate()
    } catch let e as CLIError {
      throw e
    } catch {
      throw CLIError("\(error)")
    }
  }

  func evaluate() throws {
    let lifter = try LifterModel.load(path: model)
    BLASThreads.set(threads)
    var config = lifter.config
    config.threads = threads
    var augmentation = config.augmentation.withoutNoise
    augmentation.relativeKeypointNoise = noise
    let sets = try ValidationSets(
      paths: data, rig: try rig.map(PoseDataset.jointMap(named:)), config: config, stride: stride, seed: seed,
      augmentation: augmentation, cameraPerSequence: cameraPerSequence)
    let c = lifter.config
    print(
      "model: \(model) (\(c.network.width)×\(c.network.blocks) blocks, trained with K = \(c.adjustment.stages),"
        + " 2D: \(c.augmentation.inputJoints.rawValue)); 2D noise \(noise) × scale, seed \(seed)")
    let rows = try sets.metrics { lifter.network.forward($0, scale: Float(c.outputScale)) }
    ValidationSets.printTable(rows)
    if consistentBones { try printConsistent(lifter: lifter, sets: sets) }
    guard let (name, m) = rows.last else { return }
    print("\nper bone (\(name)): mean |length error|, within-sequence std (mm)")
    for (k, bone) in H36M17.bones.enumerated() {
      let label = "\(H36M17.names[bone.parent])→\(H36M17.names[bone.child])"
      print(
        String(
          format: "  %@ %6.1f %6.1f", label.padding(toLength: 28, withPad: " ", startingAt: 0),
          m.perBoneError[k], m.perBoneStd[k]))
    }
    print("per joint (\(name)): mean position error (mm)")
    for (j, n) in H36M17.names.enumerated() {
      print(
        String(format: "  %@ %6.1f", n.padding(toLength: 28, withPad: " ", startingAt: 0), m.perJointError[j])
      )
    }
  }
}

extension Eval {
  /// The consistent-bones table: raw, projected and DCM outputs with true and estimated lengths.
  func printConsistent(lifter: LifterModel, sets: ValidationSets) throws {
    var groups = sets.groups
    if groups.count > 1, let all = sets.all { groups.append(("all", all)) }
    print(
      "\nbone-length-consistent 3D (MPJPE / PA-MPJPE / bone err / bone std, mm); lengths: true = the "
        + "sequence's real lengths, est = SubjectBoneLengths.estimate of the sequence's raw output")
    if lifter.adjustment == nil {
      print("  (this lifter has no trained adjustment network: no DCM rows; see train --freeze-lifter)")
    }
    for (name, set) in groups {
      let raw = try set.predictions { lifter.network.forward($0, scale: Float(lifter.config.outputScale)) }
      // The rows of each sequence, in order, and its lengths: the truth (constant within a sequence) and
      // the robust estimate from the raw output.
      let rowsOfSequence = Dictionary(grouping: raw.indices, by: { set.sequence[$0] })
      var trueLengths: [Int: [Double]] = [:]
      var estimated: [Int: [Double]] = [:]
      for (s, rows) in rowsOfSequence {
        trueLengths[s] = set.lengths[rows[0]]
        estimated[s] = try SubjectBoneLengths.estimate(frames: rows.map { Optional(raw[$0]) }).lengths
      }
      func lengths(_ table: [Int: [Double]], _ i: Int) -> [Double] {
        table[set.sequence[i]] ?? set.lengths[i]
      }
      func projected(_ poses: [[Vec3]], _ table: [Int: [Double]]) throws -> [[Vec3]] {
        try poses.indices.map { try BoneLengthProjection.project(poses[$0], lengths: lengths(table, $0)) }
      }
      func dcm(_ table: [Int: [Double]]) throws -> [[Vec3]] {
        var out = raw
        for (s, rows) in rowsOfSequence {
          let adjusted = try lifter.adjust(rows.map { raw[$0] }, lengths: table[s] ?? set.lengths[rows[0]])
          for (r, pose) in zip(rows, adjusted) { out[r] = pose }
        }
        return out
      }
      var variants: [(String, [[Vec3]])] = [
        ("raw lifter", raw), ("projected, true lengths", try projected(raw, trueLengths)),
        ("projected, est. lengths", try projected(raw, estimated)),
      ]
      if lifter.adjustment != nil {
        let dTrue = try dcm(trueLengths)
        let dEst = try dcm(estimated)
        variants += [
          ("DCM, true lengths", dTrue), ("DCM, est. lengths", dEst),
          ("DCM + projection, true", try projected(dTrue, trueLengths)),
          ("DCM + projection, est.", try projected(dEst, estimated)),
        ]
      }
      if cameraPerSequence {
        // Smoothing needs a static camera: consecutive frames of a sequence, in order.
        let adjuster = lifter.inference.boneAdjuster
        var smoothed = [[Vec3]](repeating: [], count: raw.count)
        for (s, rows) in rowsOfSequence {
          let given = estimated[s].map { SubjectBoneLengths(lengths: $0.map { $0 / 1000 }, source: "est.") }
          let made = try ConsistentBones.sequence(
            rows.map { Optional(raw[$0].map { $0 / 1000 }) }, times: rows.map { set.times[$0] },
            lengths: given,
            adjuster: adjuster, smooth: true)
          for (r, p) in zip(rows, made.poses) { smoothed[r] = (p ?? []).map { $0 * 1000 } }
        }
        variants.append(("… + smoothing, est.", smoothed))
      }
      print("  \(name) (\(set.count) poses, \(Set(set.sequence).count) sequences)")
      for (label, poses) in variants {
        let m = try set.metrics(of: poses)
        print(
          String(
            format: "    %@ %6.1f %6.1f %6.1f %6.2f",
            label.padding(toLength: 26, withPad: " ", startingAt: 0),
            m.mpjpe, m.paMPJPE, m.boneLengthError, m.boneLengthStd))
      }
    }
  }
}

extension ResidualMLP<Float> {
  /// Evaluation-mode forward pass scaled to mm.
  fileprivate func forward(_ x: Matrix<Float>, scale: Float) -> Matrix<Float> {
    var context = ForwardContext(training: false)
    var out = forward(x, context: &context)
    out.scale(by: scale)
    return out
  }
}
