// PoseTrainingTests: the BVH and pose-sequence rows of docs/BAD_INPUTS.md that had no test, with their exact
// messages: missing MOTION, channel counts, NaN, frame counts that disagree with the data, zero-byte and
// unreadable files, wrong extensions, deeply nested and oversized JSON.
import Foundation
import PoseFormats
import PoseScopeTestSupport
import Testing

@testable import PoseTraining

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

@Suite struct BadInputTableTests {
  static let hierarchy =
    "HIERARCHY\nROOT Hips\n{\n OFFSET 0 0 0\n CHANNELS 6 Xposition Yposition Zposition Zrotation Xrotation Yrotation\n"
    + " End Site\n {\n  OFFSET 0 10 0\n }\n}\n"

  /// The description of the BVHError that parsing `text` throws.
  static func bvhMessage(_ text: String, sourceLocation: SourceLocation = #_sourceLocation) -> String? {
    do {
      _ = try BVH(text: text, path: "m.bvh")
      Issue.record("parsed, expected an error", sourceLocation: sourceLocation)
    } catch {
      return "\(error)"
    }
    return nil
  }

  /// The description of the error `body` throws.
  static func message(_ body: () throws -> Any, sourceLocation: SourceLocation = #_sourceLocation) -> String?
  {
    do {
      _ = try body()
      Issue.record("succeeded, expected an error", sourceLocation: sourceLocation)
    } catch {
      return "\(error)"
    }
    return nil
  }

  // MARK: BVH

  @Test func bvhWithoutMotionSection() {
    #expect(Self.bvhMessage(Self.hierarchy) == "BVH file m.bvh, line 10: file ends before MOTION")
  }

  @Test func bvhChannelCountsAndNaN() throws {
    let channelList = try fixturePath("bvh/channel-list.bvh")
    #expect(
      Self.message { try BVH.read(path: channelList) }
        == "BVH file \(channelList), line 9: CHANNELS says 3 channels but lists 2 for 'Knee'")
    let shortLine = try fixturePath("bvh/short-line.bvh")
    #expect(
      Self.message { try BVH.read(path: shortLine) }
        == "BVH file \(shortLine), line 29: frame 2 has 11 values, the HIERARCHY declares 12 channels")
    let nan = try fixturePath("bvh/nan.bvh")
    #expect(
      Self.message { try BVH.read(path: nan) }
        == "BVH file \(nan), line 29: value 'nan' is not finite (NaN or infinity)")
  }

  @Test func bvhFrameCountThatDisagreesWithTheData() throws {
    let motion = "MOTION\nFrames: 3\nFrame Time: 0.04\n0 0 0 0 0 0\n0 0 0 0 0 0\n"
    #expect(
      Self.bvhMessage(Self.hierarchy + motion)
        == "BVH file m.bvh, line 15: MOTION is truncated: 'Frames: 3' but the data ends after 2 frames")
    let more = "MOTION\nFrames: 1\nFrame Time: 0.04\n0 0 0 0 0 0\n0 0 0 0 0 0\n"
    #expect(
      Self.bvhMessage(Self.hierarchy + more)
        == "BVH file m.bvh, line 15: more frame lines than 'Frames: 1' (extra data starts here)")
    // A count over the limit is refused before anything is allocated; under it, the memory reserved is
    // bounded by the file's size, and the missing frames are reported.
    let huge = "MOTION\nFrames: 20000000\nFrame Time: 0.04\n0 0 0 0 0 0\n"
    #expect(
      Self.bvhMessage(Self.hierarchy + huge)
        == "BVH file m.bvh, line 12: Frames: 20000000 exceeds the limit of 10000000")
    let large = "MOTION\nFrames: 9000000\nFrame Time: 0.04\n0 0 0 0 0 0\n"
    #expect(
      Self.bvhMessage(Self.hierarchy + large)
        == "BVH file m.bvh, line 14: MOTION is truncated: 'Frames: 9000000' but the data ends after 1 frames")
  }

  @Test func zeroByteAndUnreadableBVH() throws {
    let dir = try TestFiles.makeTemporaryFolder("training-badinput")
    defer { TestFiles.remove(dir) }
    let empty = dir + "/empty.bvh"
    try TestFiles.write(Data(), to: empty)
    #expect(Self.message { try BVH.read(path: empty) } == "BVH file \(empty): file is empty")
    let locked = dir + "/locked.bvh"
    try TestFiles.write(Self.hierarchy + "MOTION\nFrames: 0\nFrame Time: 0.1\n", to: locked)
    try #require(chmod(locked, 0) == 0)
    if geteuid() == 0 {
      // Root reads files regardless of their mode: only that is testable here.
      #expect(try BVH.read(path: locked).frameCount == 0)
    } else {
      #expect(Self.message { try BVH.read(path: locked) } == "BVH file \(locked): cannot read file")
    }
  }

  // MARK: Pose sequences

  @Test func poseSequenceWithWrongExtensionOrNoBytes() throws {
    let dir = try TestFiles.makeTemporaryFolder("training-badinput")
    defer { TestFiles.remove(dir) }
    let json = try String(contentsOfFile: try fixturePath("poses/standing.json"), encoding: .utf8)
    let txt = dir + "/standing.txt"
    try TestFiles.write(json, to: txt)
    #expect(
      Self.message { try PoseSequence.load(path: txt) }
        == "pose dataset \(txt): unknown extension (expected .json or .csv)")
    let empty = dir + "/empty.json"
    try TestFiles.write(Data(), to: empty)
    let message = Self.message { try PoseSequence.load(path: empty) } ?? ""
    #expect(
      message.hasPrefix(
        "pose dataset \(empty): not a pose-sequence JSON object with \"skeleton\" and \"frames\" ("),
      "\(message)")
    let emptyCSV = dir + "/empty.csv"
    try TestFiles.write(Data(), to: emptyCSV)
    #expect(
      Self.message { try PoseSequence.load(path: emptyCSV) }
        == "pose dataset \(emptyCSV): the file is empty (no header row)")
  }

  @Test func deeplyNestedPoseSequenceJSON() {
    let depth = 100_000
    let nested = Data((#"{"skeleton":"h36m17","frames":"# + String(repeating: "[", count: depth)).utf8)
    let message = Self.message { try PoseSequence.decodeJSON(nested, path: "deep.json") } ?? ""
    #expect(message.hasPrefix("pose dataset deep.json: not a pose-sequence JSON object"), "\(message)")
  }

  @Test func poseSequenceOverTheSizeCapIsRefusedBeforeReading() throws {
    let dir = try TestFiles.makeTemporaryFolder("training-badinput")
    defer { TestFiles.remove(dir) }
    let path = dir + "/huge.json"
    try TestFiles.write(Data(), to: path)
    try #require(truncate(path, off_t(PoseSequence.maxFileBytes + 1)) == 0)  // sparse
    #expect(
      Self.message { try PoseSequence.load(path: path) } == "\(path): file is over the 536870912-byte limit")
  }
}
