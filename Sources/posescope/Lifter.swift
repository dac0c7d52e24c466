// posescope: finding and loading the shipped 2D→3D lifter, and handing it to `estimate` and the viewer.
import Foundation
import PoseScope
import PoseTraining
import TerminalUI

/// The lifter PoseScope ships under `assets/lifter/`, or one the user trained.
enum ShippedLifter {
  /// `explicit` (from `--lifter`), else `$POSESCOPE_LIFTER`, else the shipped file (`Assets`); nil when
  /// there is none.
  static func locate(explicit: String?) throws -> String? {
    do { return try Assets.lifterPath(explicit: explicit) } catch { throw CLIError("\(error)") }
  }

  /// Loads the lifter at `path` — supervised or unsupervised, by the file's `format` — with a clear error.
  /// `height` (m) scales an unsupervised lifter's poses (default 1.7).
  static func load(_ path: String, height: Double? = nil) throws -> TrainedLifter {
    do { return try TrainedLifter.load(path: path, height: height ?? 1.7) } catch {
      throw CLIError("cannot load the lifter \(path): \(error)")
    }
  }

  /// H36M-17 image joints (pixels) → H36M-17 joints in metres (pelvis at the origin, y down), or nil.
  static func lift(_ model: TrainedLifter, _ joints: [Vec2]) -> [Vec3]? {
    guard let mm = try? model.lift(joints), mm.count == H36M17.count else { return nil }
    return mm.map { $0 / 1000 }
  }

  /// AITE's trained DCM cascade as a `BoneAdjuster` (metres in and out), nil when the lifter has none.
  static func adjuster(_ model: TrainedLifter) -> BoneAdjuster? {
    model.supervised.flatMap(adjuster)
  }

  /// The DCM cascade of a supervised lifter as a `BoneAdjuster`, nil when it has none.
  static func adjuster(_ model: LifterModel) -> BoneAdjuster? {
    guard model.adjustment != nil else { return nil }
    let box = UncheckedBox(model)
    return { joints, lengths in
      let mm = try? box.value.adjust([joints.map { $0 * 1000 }], lengths: lengths.map { $0 * 1000 })
      return mm?.first.map { $0.map { $0 / 1000 } }
    }
  }

  /// The pipeline's second 3D source. The model is used from the estimating thread only, one frame at a
  /// time.
  static func poseLifter(_ model: TrainedLifter) -> PoseLifter {
    let box = UncheckedBox(model)
    return { joints in lift(box.value, joints) }
  }
}

/// Carries a value into a `@Sendable` closure whose caller guarantees one thread at a time.
final class UncheckedBox<T>: @unchecked Sendable {
  let value: T
  init(_ value: T) { self.value = value }
}
