// PoseTrainingTests: the BVH reader (hierarchy, motion, forward kinematics, errors) on hand-written files.

import Foundation
import PoseCore
import PoseScopeTestSupport
import Testing

@testable import PoseFormats

@Suite struct BVHParsingTests {
  @Test func tinyFileHierarchyAndMotion() throws {
    let bvh = try BVH.read(path: try fixturePath("bvh/tiny.bvh"))
    #expect(bvh.nodes.map(\.name) == ["Hips", "Knee", "Knee/End Site", "Arm", "Arm/End Site"])
    #expect(bvh.nodes.map(\.parent) == [nil, 0, 1, 0, 3])
    #expect(bvh.nodes.map(\.firstChannel) == [0, 6, 9, 9, 12])
    #expect(bvh.nodes.map(\.line) == [2, 6, 10, 15, 19])
    #expect(bvh.nodes[1].channels == [.xRotation, .yRotation, .zRotation])
    #expect(bvh.channelCount == 12 && bvh.frameCount == 2 && bvh.frameTime == 0.0333333)
    #expect(Array(bvh.values(frame: 1)) == [1, 2, 3, 90, 0, 0, 90, 90, 0, 0, 90, 0])
    #expect(bvh.endSite(of: "Knee") == 2)
  }

  @Test func forwardKinematicsFollowsChannelOrder() throws {
    let bvh = try BVH.read(path: try fixturePath("bvh/tiny.bvh"))
    let (p0, _) = bvh.worldTransforms(frame: 0)
    for (a, b) in zip(p0, [Vec3(0, 0, 0), Vec3(0, -10, 0), Vec3(0, -20, 0), Vec3(5, 0, 0), Vec3(9, 0, 0)]) {
      expectClose(a, b)
    }
    // Frame 1, worked by hand: root at (1, 2, 3) rotated Rz(90°); Knee's local rotation is
    // Rx(90°)·Ry(90°) (listed order X, Y, Z), which maps (0, −10, 0) to (0, 0, −10) — the other order
    // would give (−10, 0, 0); Arm's is Rz(0)·Ry(90°)·Rx(0), which maps (4, 0, 0) to (0, 0, −4).
    let (p1, r1) = bvh.worldTransforms(frame: 1)
    expectClose(p1[0], Vec3(1, 2, 3))
    expectClose(p1[1], Vec3(11, 2, 3))
    expectClose(p1[2], Vec3(11, 2, -7))
    expectClose(p1[3], Vec3(1, 7, 3))
    expectClose(p1[4], Vec3(1, 7, -1))
    #expect(r1[1].isRotation(tolerance: 1e-12))
    let (scaled, _) = bvh.worldTransforms(frame: 1, unit: .centimetre)
    expectClose(scaled[2], Vec3(0.11, 0.02, -0.07))
  }

  @Test func crlfLineEndsAndTabsParseTheSame() throws {
    let text = try String(contentsOfFile: try fixturePath("bvh/tiny.bvh"), encoding: .utf8)
    let crlf = try BVH(
      text: text.replacingOccurrences(of: "\n", with: "\r\n").replacingOccurrences(of: "  ", with: "\t"))
    let lf = try BVH(text: text)
    #expect(crlf.motion == lf.motion && crlf.nodes == lf.nodes)
  }

  /// Each bad file, the line the error must name and a fragment of its reason.
  static let badFiles: [(file: String, line: Int, fragment: String)] = [
    ("truncated.bvh", 29, "MOTION is truncated: 'Frames: 3' but the data ends after 2 frames"),
    ("short-line.bvh", 29, "frame 2 has 11 values, the HIERARCHY declares 12 channels"),
    ("not-a-number.bvh", 28, "value 'x1.5' is not a number"),
    ("nan.bvh", 29, "value 'nan' is not finite"),
    ("extra-frames.bvh", 29, "more frame lines than 'Frames: 1'"),
    ("huge-frames.bvh", 26, "Frames: 99999999999999 exceeds the limit"),
    ("channel-list.bvh", 9, "CHANNELS says 3 channels but lists 2 for 'Knee'"),
    ("cut-hierarchy.bvh", 12, "file ends inside 'Knee/End Site'"),
  ]

  @Test(arguments: badFiles.indices)
  func badFileGivesLineAndReason(_ i: Int) throws {
    let (file, line, fragment) = Self.badFiles[i]
    let path = try fixturePath("bvh/" + file)
    do {
      _ = try BVH.read(path: path)
      Issue.record("\(file) parsed without error")
    } catch let error as BVHError {
      #expect(error.path == path)
      #expect(error.line == line, "\(error)")
      #expect(error.reason.contains(fragment), "\(error)")
      #expect(error.description.contains("line \(line)") && error.description.contains(path))
    }
  }

  func expectError(
    _ text: String, line: Int?, _ fragment: String, sourceLocation: SourceLocation = #_sourceLocation
  ) {
    do {
      _ = try BVH(text: text, path: "inline.bvh")
      Issue.record("parsed without error", sourceLocation: sourceLocation)
    } catch let error as BVHError {
      #expect(
        error.line == line && error.reason.contains(fragment), "\(error)", sourceLocation: sourceLocation)
    } catch {
      Issue.record("unexpected error \(error)", sourceLocation: sourceLocation)
    }
  }

  @Test func otherMalformedInputs() {
    let head = "HIERARCHY\nROOT A\n{\n OFFSET 0 0 0\n CHANNELS 3 Zrotation Xrotation Yrotation\n}\nMOTION\n"
    expectError("", line: nil, "file is empty")
    expectError("HIERACHY\n", line: 1, "expected 'HIERARCHY'")
    expectError(head, line: 7, "no 'Frames:' line")
    expectError(head + "Frames: 1\nFrame Time: 0\n0 0 0\n", line: 9, "Frame Time 0.0 must be positive")
    expectError(head + "Frames: -1\n", line: 8, "is not a non-negative integer")
    expectError(head + "Frames: 1\nFrame Time: 0.1\n0 0 1e999\n", line: 10, "not finite")
    expectError(head + "Frames: 2\nFrame Time: 0.1\n0 0 0\n", line: 10, "MOTION is truncated")
    expectError(
      head.replacingOccurrences(of: "Zrotation", with: "Wrotation") + "Frames: 0\nFrame Time: 0.1\n", line: 5,
      "unknown channel 'Wrotation'")
    expectError(
      head.replacingOccurrences(of: "CHANNELS 3", with: "CHANNELS 7"), line: 5,
      "CHANNELS count 7 is more than 6")
    expectError(
      head.replacingOccurrences(of: "OFFSET 0 0 0", with: "OFFSET 0 nan 0"), line: 4,
      "OFFSET value 'nan' is not finite")
    expectError(head.replacingOccurrences(of: "}\n", with: ""), line: 6, "MOTION before 'A' is closed")
    expectError(
      "HIERARCHY\nROOT A\n{\n OFFSET 0 0 0\n CHANNELS 1 Xrotation\n JOINT A\n {\n OFFSET 0 0 0\n CHANNELS 0\n }\n}\n",
      line: 6, "joint name 'A' is used twice")
    expectError(
      "HIERARCHY\nROOT A\n{\n OFFSET 0 0 0\n}\nMOTION\nFrames: 0\nFrame Time: 0.1\n", line: 2,
      "joint 'A' has no CHANNELS line")
  }

  @Test func nodeLimitIsCheckedWhileParsing() {
    var text = "HIERARCHY\nROOT J0\n{\n OFFSET 0 0 0\n CHANNELS 1 Xrotation\n"
    for i in 1...20 { text += "JOINT J\(i)\n{\n OFFSET 0 0 0\n CHANNELS 1 Xrotation\n" }
    var limits = BVHLimits()
    limits.maxNodes = 10
    #expect(throws: BVHError.self) { try BVH(text: text, limits: limits) }
    do {
      _ = try BVH(text: text, limits: limits)
    } catch let error as BVHError {
      #expect(error.reason.contains("more than 10 joints"))
    } catch {}
  }

  @Test func valueLimitIsCheckedBeforeAllocating() throws {
    let text = try String(contentsOfFile: try fixturePath("bvh/tiny.bvh"), encoding: .utf8)
    var limits = BVHLimits()
    limits.maxValues = 20  // 2 frames × 12 channels = 24
    #expect(throws: BVHError.self) { try BVH(text: text, limits: limits) }
  }

  @Test func missingFileIsReported() {
    #expect(throws: BVHError.self) { try BVH.read(path: "/nonexistent/file.bvh") }
  }
}
