// posescope: `eval` — accuracy of a trained lifter on BVH / JSON / CSV poses seen by virtual cameras.
import ArgumentParser
import Foundation
import PoseCore
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
      augmentation: augmentation)
    let c = lifter.config
    print(
      "model: \(model) (\(c.network.width)×\(c.network.blocks) blocks, trained with K = \(c.adjustment.stages),"
        + " 2D: \(c.augmentation.inputJoints.rawValue)); 2D noise \(noise) × scale, seed \(seed)")
    let rows = try sets.metrics { lifter.network.forward($0, scale: Float(c.outputScale)) }
    ValidationSets.printTable(rows)
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

extension ResidualMLP<Float> {
  /// Evaluation-mode forward pass scaled to mm.
  fileprivate func forward(_ x: Matrix<Float>, scale: Float) -> Matrix<Float> {
    var context = ForwardContext(training: false)
    var out = forward(x, context: &context)
    out.scale(by: scale)
    return out
  }
}
