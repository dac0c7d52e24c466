// PoseEstimation: where the fetched BlazePose models live, and loading them into the engine.
import Foundation
import ModelFiles
import NeuralEngine

/// The BlazePose model files and loading them (their folder is `FetchedAssets.modelsDirectory` unless one
/// is given; PoseScope's `Assets` is where an application finds every file it needs).
public enum ModelStore {
  /// The detector's file name.
  public static let detectorFile = "pose_detection.tflite"
  /// The landmark model's file name.
  public static let landmarkFile = "pose_landmark_full.tflite"
  /// The command that fetches the models.
  public static let fetchCommand = FetchedAssets.fetchScript + " models"

  /// The path of model `file` in `directory` (default: `FetchedAssets.modelsDirectory`), checked to exist.
  public static func modelPath(_ file: String, in directory: String? = nil) throws -> String {
    let path = (directory ?? FetchedAssets.modelsDirectory) + "/" + file
    guard FileManager.default.fileExists(atPath: path) else { throw MissingModelError(path: path) }
    return path
  }

  /// Loads both BlazePose models from `directory` (default: `FetchedAssets.modelsDirectory`) into interpreters with
  /// `threads` OpenBLAS threads.
  public static func loadBlazePose(
    threads: Int = 1, directory: String? = nil
  ) throws -> (detector: Interpreter, landmarker: Interpreter) {
    let d = try Interpreter(path: modelPath(detectorFile, in: directory), threads: threads)
    // The segmentation head (Identity_2) is not used: its operators are pruned.
    let l = try Interpreter(
      path: modelPath(landmarkFile, in: directory), threads: threads,
      outputs: ["Identity", "Identity_1", "Identity_3", "Identity_4"])
    return (d, l)
  }
}

/// A model file is not where PoseScope looks for it.
public struct MissingModelError: Error, CustomStringConvertible, Equatable {
  /// The path that was looked for.
  public var path: String
  public var description: String {
    "model not found: \(path) — fetch the models with `\(ModelStore.fetchCommand)` "
      + "(or point POSESCOPE_MODELS at a folder that has them)"
  }
}

extension Interpreter: TensorModel {
  public var inputShape: [Int] { inputs[0].shape }

  public func run(_ input: UnsafeBufferPointer<Float>) throws -> [String: [Float]] {
    try setInput(0, input)
    invoke()
    var out: [String: [Float]] = [:]
    for (i, o) in outputs.enumerated() { out[o.name] = output(i) }
    return out
  }
}
