// PoseScope: the lifter in the pipeline — loading the one the user chose (or the shipped one) and handing
// it to the frame estimator as the second 3D source and to consistent bones as the DCM adjuster.

import Foundation
import PoseCore
import PoseLifting

/// Carries a value into a `@Sendable` closure whose caller guarantees one thread at a time.
final class UncheckedBox<T>: @unchecked Sendable {
  let value: T
  init(_ value: T) { self.value = value }
}

extension Lifter {
  /// Loads the lifter to use: `explicit` (a `--lifter` option), else `$POSESCOPE_LIFTER`, else the shipped
  /// one (`Assets.shippedLifter`); nil when there is none. `height` (m) scales an unsupervised lifter's
  /// poses.
  ///
  /// - Throws: `PipelineError` naming the file that is missing or cannot be loaded, and why.
  public static func locateAndLoad(explicit: String?, height: Double = Lifter.defaultHeight) throws -> Lifter?
  {
    guard let path = try Assets.lifterPath(explicit: explicit) else { return nil }
    do { return try Lifter.load(path: path, height: height) } catch {
      throw PipelineError("cannot load the lifter \(path): \(error)")
    }
  }

  /// This lifter as the pipeline's second 3D source (H36M-17 image joints in pixels → metres). It keeps
  /// scratch memory between calls: give each thread its own lifter.
  public var poseLifter: PoseLifter {
    let box = UncheckedBox(self)
    return { joints in
      guard let pose = try? box.value.lift(joints), pose.count == H36M17.count else { return nil }
      return pose
    }
  }

  /// Its trained DCM cascade as a `BoneAdjuster` (metres in and out), nil when it has none. Use from one
  /// thread at a time.
  public var boneAdjuster: BoneAdjuster? {
    guard hasAdjustment else { return nil }
    let box = UncheckedBox(self)
    return { joints, lengths in try? box.value.adjust(joints, lengths: lengths) }
  }
}
