// PoseFormatsTests: the ground-truth sidecar rows of docs/BAD_INPUTS.md that had no test: zero-byte, deeply
// nested, oversized and unreadable sidecars, with their exact messages.
import Foundation
import PoseCore
import PoseScopeTestSupport
import Testing

@testable import PoseFormats

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

@Suite struct GroundTruthBadInputTests {
  static func loadError(_ path: String) -> GroundTruthError? {
    do {
      _ = try GroundTruth.load(path: path)
    } catch {
      return error
    }
    Issue.record("\(path) loaded, expected an error")
    return nil
  }

  @Test func zeroByteSidecar() throws {
    let dir = try TestFiles.makeTemporaryFolder("tui-badinput")
    defer { TestFiles.remove(dir) }
    let path = dir + "/bus.jpg.gt.json"
    try TestFiles.write(Data(), to: path)
    let error = try #require(Self.loadError(path))
    #expect(error.description.hasPrefix("\(path): not valid JSON ("), "\(error)")
  }

  @Test func deeplyNestedSidecar() throws {
    let depth = 100_000
    let data = Data(
      (#"{"joints_mm":"# + String(repeating: "[", count: depth) + String(repeating: "]", count: depth) + "}")
        .utf8)
    do {
      _ = try GroundTruth.parse(data, path: "deep.gt.json")
      Issue.record("parsed, expected an error")
    } catch {
      // Foundation's parser stops at 512 levels; JSONDecoder does not pass on that detail.
      #expect(error.description == "deep.gt.json: not valid JSON (The given data was not valid JSON.)")
    }
  }

  @Test func oversizedSidecarIsRefusedBeforeReading() throws {
    let dir = try TestFiles.makeTemporaryFolder("tui-badinput")
    defer { TestFiles.remove(dir) }
    let path = dir + "/huge.gt.json"
    try TestFiles.write(Data(), to: path)
    try #require(truncate(path, off_t(GroundTruth.maxFileBytes + 1)) == 0)  // sparse
    let error = try #require(Self.loadError(path))
    #expect(error.description == "\(path): the file is 67108865 bytes; the limit is 67108864")
  }

  @Test func unreadableSidecar() throws {
    let dir = try TestFiles.makeTemporaryFolder("tui-badinput")
    defer { TestFiles.remove(dir) }
    let path = dir + "/locked.gt.json"
    try TestFiles.write(#"{"bone_lengths_mm": {"head": 180}}"#, to: path)
    try #require(chmod(path, 0) == 0)
    if geteuid() == 0 {
      // Root reads files regardless of their mode: only that is testable here.
      #expect(try GroundTruth.load(path: path).boneLengths[9] == 0.18)
    } else {
      let error = try #require(Self.loadError(path))
      #expect(error.description == "\(path): cannot read the file (missing or not readable)")
    }
    let loop = dir + "/loop.gt.json"
    try #require(symlink(loop, loop) == 0)
    let loopError = try #require(Self.loadError(loop))
    #expect(loopError.description == "\(loop): cannot read the file (missing or not readable)")
  }
}
