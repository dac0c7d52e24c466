// TerminalUITests: shared helpers (fixture loading, the synthetic test image, golden snapshots).

import Foundation
import PoseScope
import Testing

@testable import TerminalUI

/// The fixture pose `Fixtures/h36m_tpose.json` (see its `description`).
struct TPoseFixture: Decodable {
  var description: String
  var skeleton: String
  var joints: [[Double]]
  var imageSize: [Int]
  var points2d: [[Double]]
  var visibility: [Double]
  var referenceHeight: Double

  var joints3D: [Vec3] { joints.map { Vec3($0[0], $0[1], $0[2]) } }
  var points2D: [Vec2] { points2d.map { Vec2($0[0], $0[1]) } }
}

enum Fixtures {
  /// The committed fixture folder (next to this file), also where snapshots are rewritten.
  static let directory = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
    .appendingPathComponent("Fixtures")

  static func tPose() throws -> TPoseFixture {
    let url = directory.appendingPathComponent("h36m_tpose.json")
    let data = try Data(contentsOf: url)
    let fixture = try JSONDecoder().decode(TPoseFixture.self, from: data)
    try #require(fixture.joints.count == 17 && fixture.joints.allSatisfy { $0.count == 3 })
    try #require(fixture.points2d.count == 17 && fixture.points2d.allSatisfy { $0.count == 2 })
    return fixture
  }

  /// A deterministic 96×128 test image: a vertical blue→grey gradient with a lighter torso rectangle
  /// and a dark circle for the head.
  static func syntheticImage(width: Int = 96, height: Int = 128) -> Image {
    var pixels = [UInt8](repeating: 0, count: width * height * 3)
    for y in 0..<height {
      for x in 0..<width {
        let t = Double(y) / Double(height - 1)
        var r = 20 + 100 * t
        var g = 30 + 90 * t
        var b = 90 + 60 * t
        if x >= 36 && x < 60 && y >= 32 && y < 62 {
          r = 200
          g = 170
          b = 140
        }
        let dx = Double(x) - 48
        let dy = Double(y) - 20
        if dx * dx + dy * dy < 64 {
          r = 60
          g = 40
          b = 30
        }
        let i = (y * width + x) * 3
        pixels[i] = UInt8(r)
        pixels[i + 1] = UInt8(g)
        pixels[i + 2] = UInt8(b)
      }
    }
    return Image(width: width, height: height, pixels: pixels)!
  }
}

/// Golden-text snapshots under `Fixtures/`. Set `POSESCOPE_UPDATE_SNAPSHOTS=1` to (re)write them from the
/// current output instead of comparing; on a mismatch the actual text is written next to the build
/// products' temporary directory and the first differing line is reported.
enum Snapshot {
  static var updating: Bool { ProcessInfo.processInfo.environment["POSESCOPE_UPDATE_SNAPSHOTS"] == "1" }

  static func check(_ actual: String, named name: String, sourceLocation: SourceLocation = #_sourceLocation) {
    let url = Fixtures.directory.appendingPathComponent(name)
    if updating {
      do {
        try actual.write(to: url, atomically: true, encoding: .utf8)
      } catch {
        Issue.record("could not write snapshot \(url.path): \(error)", sourceLocation: sourceLocation)
      }
      return
    }
    guard let expected = try? String(contentsOf: url, encoding: .utf8) else {
      let message =
        "missing snapshot \(url.path); run `POSESCOPE_UPDATE_SNAPSHOTS=1 swift test --filter TerminalUITests` "
        + "to create it"
      Issue.record(Comment(rawValue: message), sourceLocation: sourceLocation)
      return
    }
    if expected == actual { return }
    let actualURL = FileManager.default.temporaryDirectory.appendingPathComponent(name + ".actual")
    try? actual.write(to: actualURL, atomically: true, encoding: .utf8)
    let e = expected.components(separatedBy: "\n")
    let a = actual.components(separatedBy: "\n")
    let line = (0..<min(e.count, a.count)).first { e[$0] != a[$0] } ?? min(e.count, a.count)
    let expectedLine = line < e.count ? e[line] : "<end>"
    let actualLine = line < a.count ? a[line] : "<end>"
    Issue.record(
      """
      snapshot \(name) differs at line \(line + 1) (actual output written to \(actualURL.path); \
      set POSESCOPE_UPDATE_SNAPSHOTS=1 to accept it):
        expected: \(expectedLine)
        actual:   \(actualLine)
      """, sourceLocation: sourceLocation)
  }
}
