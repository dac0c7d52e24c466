// PoseLifting: reading a lifter file's parts with checks — its `config` metadata and its tensors (present,
// the expected shape, finite values) — with errors that name the file.

import Foundation
import ModelFiles

/// A lifter file being read: metadata and tensors, each checked, every error a `LiftingError.badFile`
/// naming `path`.
struct LifterFile {
  /// The file.
  let file: SafeTensors
  /// Its path, for errors.
  let path: String

  /// The error for `reason`.
  func bad(_ reason: String) -> LiftingError { .badFile(path: path, reason: reason) }

  /// The `config` metadata decoded as `T` and validated by `validate`; `what` names the configuration
  /// kind in errors ("a training configuration").
  func config<T: Decodable>(_ type: T.Type, what: String, validate: (T) throws -> Void) throws -> T {
    guard let text = file.metadata["config"],
      let config = try? JSONDecoder().decode(T.self, from: Data(text.utf8))
    else { throw bad("metadata 'config' is missing or not \(what)") }
    do { try validate(config) } catch { throw bad("its configuration is invalid: \(error)") }
    return config
  }

  /// Whether the file has a tensor `name`.
  func has(_ name: String) -> Bool { file.tensors[name] != nil }

  /// Tensor `name`'s values, checked: present, of shape `shape`, all finite.
  func tensor(_ name: String, shape: [Int]) throws -> [Float] {
    guard has(name) else { throw bad("tensor '\(name)' is missing") }
    let actual = try file.shape(name)
    guard actual == shape else { throw bad("tensor '\(name)' has shape \(actual), the model needs \(shape)") }
    let values = try file.floats(name)
    let count = shape.reduce(1, *)
    guard values.count == count else {
      throw bad("tensor '\(name)' has \(values.count) values, the model needs \(count)")
    }
    guard values.allSatisfy(\.isFinite) else { throw bad("tensor '\(name)' contains NaN or infinite values") }
    return values
  }

  /// A row vector `name` of `count` values (shape [1, count]).
  func row(_ name: String, count: Int) throws -> [Float] { try tensor(name, shape: [1, count]) }
}
