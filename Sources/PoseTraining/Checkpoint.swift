// PoseTraining: checkpoints — parameters, buffers and Adam state in safetensors with JSON metadata.

import Foundation
import ModelFiles
import PoseLifting

/// The non-tensor part of a checkpoint.
public struct CheckpointMetadata: Sendable, Equatable {
  /// Number of training steps done.
  public var step: Int
  /// State of the training random generator (`Xoshiro256.state`), so a resumed run draws the same numbers.
  public var rngState: [UInt64]
  /// The training configuration as JSON text (stored verbatim).
  public var config: String
  /// Further string entries (provenance, skeleton, normalisation, …); keys must not be reserved ones.
  public var extra: [String: String]

  /// Creates metadata.
  public init(step: Int, rngState: [UInt64], config: String, extra: [String: String] = [:]) {
    self.step = step
    self.rngState = rngState
    self.config = config
    self.extra = extra
  }
}

/// Saving and loading training state as a safetensors file.
///
/// Layout: every parameter and buffer is an F32 tensor of shape [rows, columns] under its own name
/// (`lifter.block0.linear1.weight`, …); Adam's moments are `optimizer.m.<name>` and `optimizer.v.<name>`.
/// `__metadata__` holds `format` (`Checkpoint.format`), `step`, `rng` (a JSON array of the four state words
/// as decimal strings, since JSON numbers cannot hold 64-bit integers exactly), `config` (JSON text),
/// `optimizer` (JSON: settings and update count, when saved with an optimiser) and the `extra` entries.
/// Double-precision models are rounded to F32 (Double is for gradient checks only).
public enum Checkpoint {
  /// Value of the `format` metadata entry.
  public static let format = LifterKind.checkpointFormat
  /// Metadata keys used by the checkpoint itself.
  public static let reservedKeys: Set<String> = ["format", "step", "rng", "config", "optimizer"]
  static let optimizerPrefix = "optimizer."

  private struct OptimizerRecord: Codable {
    var settings: AdamSettings
    var step: Int
  }

  /// Writes parameters, buffers, the optimiser's state (if given) and `metadata` to `path` atomically.
  ///
  /// - Throws: `TrainingError.invalidConfiguration` for a reserved metadata key or a tensor name starting
  ///   with `optimizer.`, `SafeTensorsError` when the file cannot be written.
  public static func save<Scalar: TrainingScalar>(
    to path: String, parameters: ParameterSet<Scalar>, optimizer: Adam<Scalar>?, metadata: CheckpointMetadata
  ) throws {
    if let key = metadata.extra.keys.first(where: { reservedKeys.contains($0) }) {
      throw TrainingError.invalidConfiguration("checkpoint metadata key '\(key)' is reserved")
    }
    var meta = metadata.extra
    meta["format"] = format
    meta["step"] = String(metadata.step)
    meta["rng"] = try jsonText(metadata.rngState.map { String($0) })
    meta["config"] = metadata.config
    var writer = SafeTensorsWriter(metadata: meta)
    func add(_ name: String, _ m: Matrix<Scalar>) throws {
      try writer.add(name, floats: m.values.map { Float($0) }, shape: m.shape)
    }
    for p in parameters.parameters {
      guard !p.name.hasPrefix(optimizerPrefix) else {
        throw TrainingError.invalidConfiguration("tensor name '\(p.name)' uses the reserved prefix")
      }
      try add(p.name, p.value)
    }
    for b in parameters.buffers { try add(b.name, b.value) }
    if let optimizer {
      let settings = optimizer.settings
      writer.metadata["optimizer"] = try jsonText(
        OptimizerRecord(
          settings: settings, step: optimizer.step))
      for p in parameters.parameters {
        let zero = Matrix<Scalar>(rows: p.value.rows, columns: p.value.columns)
        try add(optimizerPrefix + "m." + p.name, optimizer.firstMoments[p.name] ?? zero)
        try add(optimizerPrefix + "v." + p.name, optimizer.secondMoments[p.name] ?? zero)
      }
    }
    try writer.write(to: path)
  }

  /// Reads `path` into `parameters` (and `optimizer`, if given) and returns its metadata.
  ///
  /// Everything is validated before anything is assigned, so a failed load leaves the model unchanged.
  ///
  /// - Throws: `SafeTensorsError` for an unreadable or corrupt file; `TrainingError.badCheckpoint` naming
  ///   the path for a wrong format, a missing tensor, a shape mismatch, non-finite values or bad metadata.
  @discardableResult
  public static func load<Scalar: TrainingScalar>(
    from path: String, into parameters: ParameterSet<Scalar>, optimizer: Adam<Scalar>?
  ) throws -> CheckpointMetadata {
    let file = try SafeTensors.read(path: path)
    func bad(_ reason: String) -> TrainingError { .badCheckpoint(path: path, reason: reason) }
    guard file.metadata["format"] == format else {
      throw bad(
        "metadata 'format' is \(file.metadata["format"].map { "'\($0)'" } ?? "missing"), expected '\(format)'"
      )
    }
    guard let stepText = file.metadata["step"], let step = Int(stepText), step >= 0 else {
      throw bad("metadata 'step' is missing or not a non-negative integer")
    }
    guard let rngText = file.metadata["rng"],
      let words = try? JSONDecoder().decode([String].self, from: Data(rngText.utf8)),
      words.count == 4
    else { throw bad("metadata 'rng' is missing or not a JSON array of 4 decimal strings") }
    var rng: [UInt64] = []
    for w in words {
      guard let v = UInt64(w) else {
        throw bad("metadata 'rng' word '\(w)' is not an unsigned 64-bit integer")
      }
      rng.append(v)
    }
    guard (try? Xoshiro256(state: rng)) != nil else {
      throw bad("metadata 'rng' is the invalid all-zero state")
    }

    func read(_ name: String, like m: Matrix<Scalar>) throws -> Matrix<Scalar> {
      try file.matrix(name, like: m, bad: bad)
    }
    let newParameters = try parameters.parameters.map { try read($0.name, like: $0.value) }
    let newBuffers = try parameters.buffers.map { try read($0.name, like: $0.value) }
    var first: [String: Matrix<Scalar>] = [:]
    var second: [String: Matrix<Scalar>] = [:]
    var optimizerStep = 0
    if optimizer != nil {
      guard let text = file.metadata["optimizer"],
        let record = try? JSONDecoder().decode(OptimizerRecord.self, from: Data(text.utf8)), record.step >= 0
      else {
        throw bad("metadata 'optimizer' is missing or malformed (was the checkpoint saved without one?)")
      }
      optimizerStep = record.step
      for p in parameters.parameters {
        first[p.name] = try read(optimizerPrefix + "m." + p.name, like: p.value)
        second[p.name] = try read(optimizerPrefix + "v." + p.name, like: p.value)
      }
    }
    for (p, v) in zip(parameters.parameters, newParameters) {
      p.value = v
      p.zeroGradient()
    }
    for (b, v) in zip(parameters.buffers, newBuffers) { b.value = v }
    optimizer?.restore(step: optimizerStep, first: first, second: second)
    let extra = file.metadata.filter { !reservedKeys.contains($0.key) }
    return CheckpointMetadata(step: step, rngState: rng, config: file.metadata["config"] ?? "", extra: extra)
  }

  static func jsonText<T: Encodable>(_ value: T) throws -> String {
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.sortedKeys]
    return String(decoding: try encoder.encode(value), as: UTF8.self)
  }
}

/// Reads just the metadata of a safetensors file.
enum ModelIOReader {
  static func metadata(_ path: String) throws -> [String: String] {
    try SafeTensors.read(path: path).metadata
  }
}

extension SafeTensors {
  /// Tensor `name` as a matrix shaped like `m`, checked: present, the same shape, finite values; `bad` turns
  /// a reason into the caller's error (naming its file).
  func matrix<Scalar: TrainingScalar>(
    _ name: String, like m: Matrix<Scalar>, bad: (String) -> TrainingError
  ) throws -> Matrix<Scalar> {
    guard tensors[name] != nil else { throw bad("tensor '\(name)' is missing") }
    let shape = try self.shape(name)
    guard shape == m.shape else {
      throw bad("tensor '\(name)' has shape \(shape), the model needs \(m.shape)")
    }
    let values = try floats(name)
    guard values.count == m.count else {
      throw bad("tensor '\(name)' has \(values.count) values, the model needs \(m.count)")
    }
    guard values.allSatisfy(\.isFinite) else { throw bad("tensor '\(name)' contains NaN or infinite values") }
    return Matrix(rows: m.rows, columns: m.columns, values: values.map { Scalar($0) })
  }
}

extension ResidualMLP<Float> {
  /// Replaces every parameter and BatchNorm buffer with the tensor of the same name in `file` (all are
  /// read and checked before any is replaced); `bad` turns a reason into the caller's error.
  func loadWeights(from file: SafeTensors, bad: (String) -> TrainingError) throws {
    let newParameters = try parameters.map { try file.matrix($0.name, like: $0.value, bad: bad) }
    let newBuffers = try buffers.map { try file.matrix($0.name, like: $0.value, bad: bad) }
    for (p, v) in zip(parameters, newParameters) { p.value = v }
    for (b, v) in zip(buffers, newBuffers) { b.value = v }
  }
}
