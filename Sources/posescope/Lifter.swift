// posescope: loading lifters for the commands, with one-line errors: the pipeline's (`Lifter`, inference)
// and, for `train --unsupervised --init-lifter`, a training one.
import Foundation
import PoseScope
import PoseTraining

/// The lifter `--lifter` names, else `$POSESCOPE_LIFTER`, else the shipped one; nil when there is none.
/// `height` (m, default 1.7) scales an unsupervised lifter's poses.
func loadLifter(explicit: String?, height: Double? = nil) throws -> Lifter? {
  do { return try Lifter.locateAndLoad(explicit: explicit, height: height ?? Lifter.defaultHeight) } catch {
    throw CLIError("\(error)")
  }
}

/// A lifter file for training (a warm start or a comparison), with a clear error.
func loadTrainedLifter(_ path: String) throws -> TrainedLifter {
  do { return try TrainedLifter.load(path: path) } catch {
    throw CLIError("cannot load the lifter \(path): \(error)")
  }
}
