// The README's library example: it must compile, run on a real photo, and stay word for word in the README.
import Foundation
import PoseScope
import PoseScopeTestSupport
import Testing

/// The README example, with `path` in place of "person.jpg".
func readmeExample(path: String) throws -> [(String, Double)] {
  var out: [(String, Double)] = []
  // README example begins
  let frames = try Pipeline().estimate(path)  // an image, a frame folder or a video: one PoseFrame each
  if let person = frames[0].person, let lengths = person.h36mLengths {
    for (name, length) in zip(H36M17.boneNames, lengths) { out.append((name, length)) }  // metres
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
      .replacingOccurrences(of: "estimate(path)", with: "estimate(\"person.jpg\")")
      .replacingOccurrences(of: "{ out.append((name, length)) }", with: "{ print(name, length) }")
    for line in body.split(separator: "\n") {
      let code = line.dropFirst(2)  // the README block is not indented
      #expect(readme.contains(code), "README.md lacks the example line: \(code)")
    }
  }
}
