// PoseFormatsTests: fixtures — the hand-made H36M-17 T-pose of the viewer's tests (one copy, in
// Tests/TerminalUITests/Fixtures).
import Foundation
import PoseCore
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

// Until the shared test-support target lands: the seeded generator and comparisons of PoseCoreTests.
struct SplitMix64: RandomNumberGenerator {
  var state: UInt64
  init(seed: UInt64) { state = seed }
  mutating func next() -> UInt64 {
    state &+= 0x9E37_79B9_7F4A_7C15
    var z = state
    z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
    z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
    return z ^ (z >> 31)
  }
}

func randomVec3(_ rng: inout SplitMix64, range: ClosedRange<Double> = -1...1) -> Vec3 {
  Vec3(
    Double.random(in: range, using: &rng), Double.random(in: range, using: &rng),
    Double.random(in: range, using: &rng))
}

func randomRotation(_ rng: inout SplitMix64) -> Mat3 {
  Mat3.rotation(axis: randomVec3(&rng), angle: Double.random(in: -Double.pi...Double.pi, using: &rng))
}

func maxDistance(_ a: [Vec3], _ b: [Vec3]) -> Double {
  zip(a, b).map { $0.distance(to: $1) }.max() ?? .infinity
}

/// A fixture of PoseTrainingTests (the BVH files are read there too: one copy).
func fixturePath(_ name: String) throws -> String {
  URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
    .appendingPathComponent("PoseTrainingTests/Fixtures/" + name).path
}

/// Fails the test unless `a` and `b` are within `tolerance`.
func expectClose(
  _ a: Vec3, _ b: Vec3, _ tolerance: Double = 1e-9, sourceLocation: SourceLocation = #_sourceLocation
) {
  #expect((a - b).norm < tolerance, "\(a) ≠ \(b)", sourceLocation: sourceLocation)
}
