// The README's library example: it must compile, run on a real photo, and stay word for word in the README.
import Foundation
import MediaIO
import PoseCore
import PoseEstimation
import PoseScopeTestSupport
import Testing

/// The README example, with `path` in place of "person.jpg".
func readmeExample(path: String) throws -> [(String, Double)] {
  var out: [(String, Double)] = []
  // README example begins
  let models = try ModelStore.loadBlazePose()  // the fetched BlazePose models
  let estimator = try BlazePoseEstimator(detector: models.detector, landmarker: models.landmarker)
  let image = try ImageDecoder.load(path: path)
  if let pose = try estimator.process(image) {
    let joints = try BlazePoseToH36M.map(pose.worldLandmarks)  // 17 H36M joints, metres
    let lengths = try PoseMetrics.boneLengths(joints, skeleton: H36M17.skeleton)
    for (name, length) in zip(H36M17.boneNames, lengths) { out.append((name, length)) }
  }
  // README example ends
  return out
}

struct LibraryExampleTests {
  @Test func exampleRunsOnARealPhoto() throws {
    let bones = try readmeExample(path: TestAssets.sample("images/bus.jpg"))
    #expect(bones.count == 16)
    let thigh = try #require(bones.first { $0.0 == "left_upper_leg" })
    #expect(thigh.1 > 0.3 && thigh.1 < 0.5, "left thigh \(thigh.1) m")
  }

  @Test func readmeShowsTheSameCode() throws {
    let here = URL(fileURLWithPath: #filePath)
    let root = here.deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    let readme = try String(contentsOf: root.appendingPathComponent("README.md"), encoding: .utf8)
    let source = try String(contentsOf: here, encoding: .utf8)
    let begin = try #require(source.range(of: "  // README example begins\n"))
    let end = try #require(source.range(of: "  // README example ends"))
    let body = source[begin.upperBound..<end.lowerBound]
      .replacingOccurrences(of: "path: path", with: "path: \"person.jpg\"")
      .replacingOccurrences(of: "{ out.append((name, length)) }", with: "{ print(name, length) }")
    for line in body.split(separator: "\n") {
      let code = line.dropFirst(2)  // the README block is not indented
      #expect(readme.contains(code), "README.md lacks the example line: \(code)")
    }
  }
}
