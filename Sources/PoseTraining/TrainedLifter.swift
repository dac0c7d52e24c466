// PoseTraining: any lifter file PoseScope writes, loaded by its `format` entry — the supervised (AITE)
// lifter or an unsupervised one — behind one `lift` in millimetres, for `estimate` and the viewer.

import ModelFiles
import PoseCore

/// A trained 2D→3D lifter of either kind, as `estimate --lifter` and `view --lifter` use it.
public enum TrainedLifter {
  /// A `LifterModel` file (`posescope-lifter/1`, or a training checkpoint): metric output, maybe with A.
  case supervised(LifterModel)
  /// An `UnsupervisedLifter` file (`posescope-unsupervised-lifter/1`): its output has no scale of its
  /// own, so `lift` scales it to a person `height` metres tall.
  case unsupervised(UnsupervisedLifter, height: Double)

  /// Loads `path`, picking the kind from the file's `format` metadata.
  ///
  /// - Parameter height: the body height (m) that gives an unsupervised lifter's poses their scale.
  /// - Throws: `SafeTensorsError` for an unreadable file; `TrainingError.badCheckpoint` naming the path
  ///   for an unknown format or a malformed lifter; `TrainingError.invalidConfiguration` for a height
  ///   outside 0.5–2.8 m.
  public static func load(path: String, height: Double = 1.7) throws -> TrainedLifter {
    guard height.isFinite, height >= 0.5, height <= 2.8 else {
      throw TrainingError.invalidConfiguration("a body height of \(height) m is outside 0.5–2.8 m")
    }
    let file = try SafeTensors.read(path: path)
    let format = file.metadata["format"]
    switch format {
    case UnsupervisedLifter.format?:
      return .unsupervised(try UnsupervisedLifter.load(file, path: path), height: height)
    case LifterModel.format?, Checkpoint.format?:
      return .supervised(try LifterModel.load(file, path: path))
    default:
      throw TrainingError.badCheckpoint(
        path: path,
        reason:
          "metadata 'format' is \(format.map { "'\($0)'" } ?? "missing"), expected '\(LifterModel.format)'"
          + ", '\(UnsupervisedLifter.format)' or '\(Checkpoint.format)' — not a PoseScope lifter")
    }
  }

  /// Lifts 17 H36M-17 image points (pixels, y down) to root-relative joints in mm (x right, y down,
  /// z forward, pelvis at the origin).
  ///
  /// - Throws: `TrainingError.shapeMismatch` unless exactly 17 points are given.
  public func lift(_ points: [Vec2]) throws -> [Vec3] {
    switch self {
    case .supervised(let model): return try model.lift(points)
    case .unsupervised(let model, let height): return try model.lift(points, height: height)
    }
  }

  /// The supervised model (for its adjustment network A), nil for an unsupervised lifter.
  public var supervised: LifterModel? {
    if case .supervised(let model) = self { return model }
    return nil
  }

  /// The viewer's name for it: "AITE lifter", "unsupervised lifter" or, when the file records its role,
  /// "unsupervised student" / "unsupervised teacher".
  public var shortName: String {
    switch self {
    case .supervised: return "AITE lifter"
    case .unsupervised(let model, _): return "unsupervised " + (model.metadata["role"] ?? "lifter")
    }
  }

  /// A short description for messages: the kind, and for unsupervised files their role
  /// (`teacher` or `student`) when the file records it.
  public var summary: String {
    switch self {
    case .supervised(let model):
      return model.adjustment == nil ? "supervised lifter" : "supervised lifter with a DCM cascade"
    case .unsupervised(let model, let height):
      let role = model.metadata["role"].map { " (\($0))" } ?? ""
      return "unsupervised lifter\(role), scaled to a \(height) m body"
    }
  }
}
