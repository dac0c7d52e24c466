// PoseTraining: the trained lifter P (and A) on training's layers — export to a small safetensors file, and
// loading (from an exported file or a training checkpoint) for warm starts and evaluation on matrices.
// Inference on poses goes through PoseLifting's `Lifter` (`inference`).

import Foundation
import ModelFiles
import PoseCore
import PoseLifting

/// The prediction network P with its configuration, and the adjustment network A when the file has it,
/// on training's layers (OpenBLAS).
///
/// File format (`LifterModel.format`): P's parameters and BatchNorm buffers as F32 tensors
/// (`lifter.…`), A's parameters (`adjustment.…`) for K ≥ 1 runs, and string metadata `format`, `config`
/// (the `TrainingConfig` JSON), `skeleton`, `normalization` and any provenance entries. A training
/// checkpoint (`Checkpoint.format`) can be loaded too: its `lifter.…` tensors and `config` are used, the
/// rest ignored.
///
/// `lift`, `predict`, `poses` and `adjust` run the training layers in evaluation mode: for evaluation on
/// matrices and as the reference PoseLifting's `Lifter` is tested against. Everything else lifts with
/// `inference`, the same file as a `Lifter`.
public final class LifterModel {
  /// Value of the `format` metadata entry of exported lifters.
  public static let format = LifterKind.supervisedFormat
  /// Text of the `normalization` metadata entry.
  public static let normalizationText =
    "input: 17 H36M-17 image points (pixels, y down); subtract the pelvis (joint 0), divide by "
    + "s = sqrt(mean over the 17 points of |u_j - u_0|^2) (s = 1 if 0); 34 values x0,y0,...,x16,y16. "
    + "output: 51 values, root-relative camera-frame joints (x right, y down, z forward) in units of "
    + "outputScale mm (config.outputScale)"
  /// Text of the `skeleton` metadata entry.
  public static let skeletonText =
    "h36m17: " + H36M17.names.joined(separator: ",") + "; parents -1,0,1,2,0,4,5,0,7,8,9,8,11,12,8,14,15"

  /// Training configuration the weights came from.
  public let config: TrainingConfig
  /// The network.
  public let network: ResidualMLP<Float>
  /// Metadata of the file.
  public let metadata: [String: String]
  /// The trained adjustment network A (K = `config.adjustment.stages` DCMs), when the file has it: lifters
  /// exported from a run with K ≥ 1 carry A's tensors (`adjustment.…`) so that `adjust` can hold poses to
  /// known bone lengths at inference.
  public let adjustment: AdjustmentNetwork<Float>?
  /// The same file as PoseLifting's `Lifter` (metres, CKernels' GEMM): inference on poses.
  public let inference: Lifter

  init(
    config: TrainingConfig, network: ResidualMLP<Float>, metadata: [String: String],
    adjustment: AdjustmentNetwork<Float>?, inference: Lifter
  ) {
    self.config = config
    self.network = network
    self.metadata = metadata
    self.adjustment = adjustment
    self.inference = inference
  }

  /// Writes P of `trainer` with `metadata` (keys other than `format` and `config`) atomically.
  ///
  /// - Throws: `TrainingError.invalidConfiguration` for a reserved key, `SafeTensorsError` on write errors.
  public static func export(_ trainer: AITETrainer, to path: String, metadata: [String: String] = [:]) throws
  {
    if metadata["format"] != nil || metadata["config"] != nil {
      throw TrainingError.invalidConfiguration("lifter metadata keys 'format' and 'config' are reserved")
    }
    var meta = metadata
    meta["format"] = format
    meta["config"] = try trainer.config.json()
    meta["skeleton"] = meta["skeleton"] ?? skeletonText
    meta["normalization"] = meta["normalization"] ?? normalizationText
    meta["step"] = String(trainer.step)
    var writer = SafeTensorsWriter(metadata: meta)
    for p in trainer.predictor.parameters {
      try writer.add(p.name, floats: p.value.values, shape: p.value.shape)
    }
    for b in trainer.predictor.buffers {
      try writer.add(b.name, floats: b.value.values, shape: b.value.shape)
    }
    for p in trainer.adjustment.parameters {
      try writer.add(p.name, floats: p.value.values, shape: p.value.shape)
    }
    try writer.write(to: path)
  }

  /// Loads an exported lifter or a training checkpoint.
  ///
  /// - Throws: `SafeTensorsError` for an unreadable file; `TrainingError.badCheckpoint` naming the path for
  ///   another format, a missing or malformed configuration, a missing tensor, a wrong shape or non-finite
  ///   values.
  public static func load(path: String) throws -> LifterModel {
    try load(SafeTensors.read(path: path), path: path)
  }

  /// Loads an exported lifter or a training checkpoint already read from `path`; `inference`, when given,
  /// is the file already loaded as a `Lifter`.
  static func load(_ file: SafeTensors, path: String, inference: Lifter? = nil) throws -> LifterModel {
    func bad(_ reason: String) -> TrainingError { .badCheckpoint(path: path, reason: reason) }
    let kind = file.metadata["format"]
    guard kind == format || kind == Checkpoint.format else {
      throw bad(
        "metadata 'format' is \(kind.map { "'\($0)'" } ?? "missing"), expected '\(format)' or "
          + "'\(Checkpoint.format)'")
    }
    guard let text = file.metadata["config"],
      let config = try? JSONDecoder().decode(TrainingConfig.self, from: Data(text.utf8))
    else { throw bad("metadata 'config' is missing or not a training configuration") }
    do { try config.validate() } catch { throw bad("its configuration is invalid: \(error)") }
    var rng = Xoshiro256(seed: config.seed)
    let network = try ResidualMLP<Float>(name: "lifter", config: config.network, rng: &rng)
    try network.loadWeights(from: file, bad: bad)
    // A is optional: files of K = 0 runs (and older exports) have no adjustment tensors.
    var adjustment: AdjustmentNetwork<Float>? = nil
    if config.adjustment.stages > 0 {
      let a = try AdjustmentNetwork<Float>(name: "adjustment", config: config.adjustment, rng: &rng)
      if a.parameters.allSatisfy({ file.tensors[$0.name] != nil }) {
        let values = try a.parameters.map { try file.matrix($0.name, like: $0.value, bad: bad) }
        for (p, v) in zip(a.parameters, values) { p.value = v }
        adjustment = a
      }
    }
    let lifter = try inference ?? TrainingError.converting { try Lifter(file: file) }
    return LifterModel(
      config: config, network: network, metadata: file.metadata, adjustment: adjustment, inference: lifter)
  }

  /// Runs the trained adjustment network A (evaluation mode: no disturbance) on root-relative poses in mm
  /// with the subject's bone lengths in mm (`H36M17.bones` order), on training's layers (`Lifter.adjust`
  /// is the same at inference, in metres).
  ///
  /// - Throws: `TrainingError.invalidConfiguration` when the file has no adjustment network,
  ///   `TrainingError.shapeMismatch` for wrong joint or length counts.
  public func adjust(_ poses: [[Vec3]], lengths: [Double]) throws -> [[Vec3]] {
    guard let adjustment else {
      throw TrainingError.invalidConfiguration(
        "this lifter has no trained adjustment network (train one with --aite-stages K ≥ 1)")
    }
    guard lengths.count == H36M17.bones.count else {
      throw TrainingError.shapeMismatch(
        what: "bone lengths", expected: "\(H36M17.bones.count)", actual: "\(lengths.count)")
    }
    guard !poses.isEmpty else { return [] }
    var x = Matrix<Float>(rows: poses.count, columns: 3 * H36M17.count)
    var b = Matrix<Float>(rows: poses.count, columns: H36M17.bones.count)
    for (r, pose) in poses.enumerated() {
      guard pose.count == H36M17.count else {
        throw TrainingError.shapeMismatch(what: "pose", expected: "17 joints", actual: "\(pose.count)")
      }
      for (j, p) in pose.enumerated() {
        for c in 0..<3 { x[r, 3 * j + c] = Float(p[c]) }
      }
      for (k, l) in lengths.enumerated() { b[r, k] = Float(l) }
    }
    var context = ForwardContext(training: false)
    let out = adjustment.forward(x, lengths: b, context: &context)
    return (0..<poses.count).map { AITETrainer.joints(out, row: $0) }
  }

  /// `predict`'s rows as poses: 17 joints in mm each (root-relative camera frame).
  public func poses(_ inputs: Matrix<Float>) -> [[Vec3]] {
    let out = predict(inputs)
    return (0..<out.rows).map { AITETrainer.joints(out, row: $0) }
  }

  /// Poses in mm (N × 51, root-relative camera frame) for normalised inputs (N × 34).
  ///
  /// Leaves OpenBLAS's (process-wide) thread count alone: the caller sets it (`eval` does).
  public func predict(_ inputs: Matrix<Float>) -> Matrix<Float> {
    var context = ForwardContext(training: false)
    var out = network.forward(inputs, context: &context)
    out.scale(by: Float(config.outputScale))
    return out
  }

  /// Lifts 17 H36M-17 image points (pixels, y down) to root-relative camera-frame joints in mm
  /// (x right, y down, z forward; pelvis at the origin) on training's layers (`Lifter.lift` is the same at
  /// inference, in metres).
  ///
  /// - Throws: `TrainingError.shapeMismatch` unless exactly 17 points are given.
  public func lift(_ points: [Vec2]) throws -> [Vec3] {
    guard points.count == H36M17.count else {
      throw TrainingError.shapeMismatch(
        what: "lifter input", expected: "17 points", actual: "\(points.count)")
    }
    let x = KeypointNormalization.normalize(points).map { Float($0) }
    let out = predict(Matrix(rows: 1, columns: x.count, values: x))
    return AITETrainer.joints(out, row: 0)
  }
}
