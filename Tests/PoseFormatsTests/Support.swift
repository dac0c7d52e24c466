// PoseFormatsTests: fixtures — the hand-made H36M-17 T-pose of the viewer's tests (one copy, in
// Tests/TerminalUITests/Fixtures).
import Foundation
import PoseCore
import PoseScopeTestSupport
import Testing

enum Fixtures {
  /// The T-pose's 17 joints in metres (`h36m_tpose.json`, see its `description`).
  struct TPose: Decodable {
    var joints: [[Double]]
    var joints3D: [Vec3] { joints.map { Vec3($0[0], $0[1], $0[2]) } }
  }

  static func tPose() throws -> TPose {
    let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
      .appendingPathComponent("TerminalUITests/Fixtures/h36m_tpose.json")
    return try JSONDecoder().decode(TPose.self, from: Data(contentsOf: url))
  }
}

/// A fixture of PoseTrainingTests (the BVH files are read there too: one copy).
func fixturePath(_ name: String) throws -> String {
  URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
    .appendingPathComponent("PoseTrainingTests/Fixtures/" + name).path
}
