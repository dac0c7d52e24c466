// PoseTraining: any lifter file PoseScope writes as training's model of its kind — for warm starts — with
// its inference (`lift`, `shortName`, `summary`) that of PoseLifting's `Lifter`, in millimetres.

import ModelFiles
import PoseCore
import PoseLifting

/// A trained 2D→3D lifter of either kind, as training's model (a warm start for another run) and as
/// PoseLifting's `Lifter` (`inference`), which `lift` runs.
public enum TrainedLifter {
  /// A `LifterModel` file (`posescope-lifter/1`, or a training checkpoint): metric output, maybe with A.
  case supervised(LifterModel)
  /// An `UnsupervisedLifter` file (`posescope-unsupervised-lifter/1`): its output has no scale of its
  /// own, so its `inference` scales it to a person `height` metres tall.
  case unsupervised(UnsupervisedLifter, height: Double)

  /// Loads `path`, picking the kind from the file's `format` metadata.
  ///
  /// - Parameter height: the body height (m) that gives an unsupervised lifter's poses their scale.
  /// - Throws: `SafeTensorsError` for an unreadable file; `TrainingError.badCheckpoint` naming the path
  ///   for an unknown format or a malformed lifter; `TrainingError.invalidConfiguration` for a height
  ///   outside 0.5–2.8 m.
  public static func load(path: String, height: Double = Lifter.defaultHeight) throws -> TrainedLifter {
    let file = try SafeTensors.read(path: path)
    let inference = try TrainingError.converting { try Lifter(file: file, height: height) }
    switch inference.kind {
    case .supervised:
      return .supervised(try LifterModel.load(file, path: path, inference: inference))
    case .unsupervised:
      return .unsupervised(
        try UnsupervisedLifter.load(file, path: path, inference: inference), height: height)
    }
  }

  /// The file as PoseLifting's `Lifter`.
  public var inference: Lifter {
    switch self {
    case .supervised(let model): return model.inference
    case .unsupervised(let model, _): return model.inference
    }
  }

  /// Lifts 17 H36M-17 image points (pixels, y down) to root-relative joints in mm (x right, y down,
  /// z forward, pelvis at the origin) with `inference`.
  ///
  /// - Throws: `TrainingError.shapeMismatch` unless exactly 17 points are given,
  ///   `TrainingError.invalidConfiguration` for a NaN or infinite coordinate.
  public func lift(_ points: [Vec2]) throws -> [Vec3] {
    try TrainingError.converting { try inference.lift(points) }.map { 1000 * $0 }
  }

  /// The supervised model (for its adjustment network A), nil for an unsupervised lifter.
  public var supervised: LifterModel? {
    if case .supervised(let model) = self { return model }
    return nil
  }

  /// The viewer's name for it (`Lifter.shortName`).
  public var shortName: String { inference.shortName }

  /// A short description for messages (`Lifter.summary`).
  public var summary: String { inference.summary }
}
