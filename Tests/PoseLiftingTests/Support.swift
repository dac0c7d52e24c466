// PoseLiftingTests: this target's helpers — the shipped lifters, fixtures, pose distances, rewritten files.

import Foundation
import ModelFiles
import PoseCore
import PoseScopeTestSupport
import Testing

/// The package's root folder.
let packageRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
  .deletingLastPathComponent()

/// `<package root>/<relative>`.
func packagePath(_ relative: String) -> String { packageRoot.appendingPathComponent(relative).path }

/// The shipped supervised lifter.
let supervisedPath = packagePath("assets/lifter/posescope-lifter-h36m17.safetensors")
/// The shipped unsupervised lifter.
let unsupervisedPath = packagePath("assets/lifter/posescope-unsupervised-h36m17.safetensors")

/// Path of a fixture file of this target.
func fixturePath(_ name: String) throws -> String { try FixtureFolder(.module).path(name) }

/// The largest coordinate difference between two poses (∞ when their joint counts differ).
func maxDifference(_ a: [Vec3], _ b: [Vec3]) -> Double {
  guard a.count == b.count else { return .infinity }
  return zip(a, b).reduce(0.0) { worst, pair in
    let d = pair.0 - pair.1
    return max(worst, abs(d.x), abs(d.y), abs(d.z))
  }
}

/// Writes `file`'s tensors and metadata to `path` after `edit` changed them (tensors as name → (values,
/// shape)).
func rewrite(
  _ file: SafeTensors, to path: String,
  edit: (inout [String: String], inout [String: (values: [Float], shape: [Int])]) -> Void
) throws {
  var metadata = file.metadata
  var tensors: [String: (values: [Float], shape: [Int])] = [:]
  for name in file.names { tensors[name] = (try file.floats(name), try file.shape(name)) }
  edit(&metadata, &tensors)
  var writer = SafeTensorsWriter(metadata: metadata)
  for (name, t) in tensors { try writer.add(name, floats: t.values, shape: t.shape) }
  try writer.write(to: path)
}
