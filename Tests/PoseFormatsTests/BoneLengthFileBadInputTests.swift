// PoseFormatsTests: the bone-length file rows of docs/BAD_INPUTS.md (SubjectBoneLengths.read): zero-byte,
// deeply nested, oversized, unreadable and symlink-loop files, with their exact messages.
import Foundation
import PoseCore
import PoseFormats
import PoseScopeTestSupport
import Testing

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

@Suite struct BoneLengthFileBadInputTests {
  static func readError(_ path: String) -> String? {
    do {
      _ = try SubjectBoneLengths.read(path: path)
    } catch {
      return "\(error)"
    }
    Issue.record("\(path) was read, expected an error")
    return nil
  }

  @Test func zeroByteAndDeeplyNestedFiles() throws {
    let dir = try TestFiles.makeTemporaryFolder("posecore-badinput")
    defer { TestFiles.remove(dir) }
    let empty = dir + "/empty.json"
    try TestFiles.write(Data(), to: empty)
    #expect(Self.readError(empty) == "bone lengths \(empty): not valid JSON")
    let deep = dir + "/deep.json"
    let depth = 100_000
    let nested = String(repeating: "[", count: depth) + String(repeating: "]", count: depth)
    try TestFiles.write(Data(nested.utf8), to: deep)
    #expect(Self.readError(deep) == "bone lengths \(deep): not valid JSON")
  }

  @Test func oversizedFileIsRefusedBeforeReading() throws {
    let dir = try TestFiles.makeTemporaryFolder("posecore-badinput")
    defer { TestFiles.remove(dir) }
    let path = dir + "/huge.json"
    try TestFiles.write(Data(), to: path)
    try #require(truncate(path, off_t((64 << 20) + 1)) == 0)  // sparse
    #expect(Self.readError(path) == "bone lengths \(path): larger than 64 MiB")
  }

  @Test func unreadableFileAndSymlinkLoop() throws {
    let dir = try TestFiles.makeTemporaryFolder("posecore-badinput")
    defer { TestFiles.remove(dir) }
    let names = H36M17.skeleton.bones.map(\.name)
    let json = "{" + names.map { "\"\($0)\": 0.3" }.joined(separator: ", ") + "}"
    let path = dir + "/bones.json"
    try TestFiles.write(Data(json.utf8), to: path)
    try #require(chmod(path, 0) == 0)
    if geteuid() == 0 {
      // Root reads files regardless of their mode: only that is testable here.
      #expect(try SubjectBoneLengths.read(path: path).lengths == [Double](repeating: 0.3, count: names.count))
    } else {
      let message = Self.readError(path) ?? ""
      #expect(message.hasPrefix("bone lengths \(path): cannot read it ("), "\(message)")
    }
    let loop = dir + "/loop.json"
    try #require(symlink(loop, loop) == 0)
    let message = Self.readError(loop) ?? ""
    #expect(message.hasPrefix("bone lengths \(loop): cannot read it ("), "\(message)")
  }
}
