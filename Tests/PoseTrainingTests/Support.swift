// PoseTrainingTests: this target's helpers: its fixtures and the shared mocap folder (temporary folders and
// files are PoseScopeTestSupport's).

import Foundation
import PoseScopeTestSupport
import Testing

/// `<package root>/../shared/mocap`, found from this source file's location; nil when missing.
func mocapDirectory() -> String? {
  let packageRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
    .deletingLastPathComponent()
  let dir = packageRoot.deletingLastPathComponent().appendingPathComponent("shared/mocap").path
  var isDir: ObjCBool = false
  return FileManager.default.fileExists(atPath: dir, isDirectory: &isDir) && isDir.boolValue ? dir : nil
}

/// Path of fixture `name` (e.g. `bvh/tiny.bvh`) in the test bundle; fails the test when it is missing.
func fixturePath(_ name: String) throws -> String {
  try FixtureFolder(.module).path(name)
}
