// TerminalUITests: the ground-truth sidecar loader (good files, and every kind of bad one).

import Foundation
import PoseCore
import PoseScopeTestSupport
import Testing

@testable import PoseFormats

/// The fixture T-pose's joints as a `joints_mm` frame.
private func tPoseFrameJSON() throws -> String {
  let joints = try Fixtures.tPose().joints3D
  return "[" + joints.map { "[\($0.x * 1000), \($0.y * 1000), \($0.z * 1000)]" }.joined(separator: ", ") + "]"
}

@Test func sidecarWithBoneLengths() throws {
  let json = """
    {"version": 1, "bone_lengths_mm": {"right_upper_leg": 432, "left_upper_leg": 430.5, "head": 170},
     "comment": "other keys are ignored"}
    """
  let gt = try GroundTruth.parse(Data(json.utf8), path: "a.gt.json")
  #expect(gt.hasBoneLengths && gt.frames.isEmpty)
  let ref = try #require(gt.referenceLengths(frame: 0))
  #expect(ref.count == 16)
  #expect(ref[H36M17.boneNames.firstIndex(of: "right_upper_leg")!] == 0.432)
  #expect(ref[H36M17.boneNames.firstIndex(of: "left_upper_leg")!] == 0.4305)
  #expect(ref[H36M17.boneNames.firstIndex(of: "head")!] == 0.17)
  #expect(ref.filter(\.isNaN).count == 13)
  #expect(gt.joints(frame: 0) == nil)
}

@Test func sidecarWithJointsPerFrame() throws {
  let frame = try tPoseFrameJSON()
  let json = "{\"joints_mm\": [null, \(frame)]}"
  let gt = try GroundTruth.parse(Data(json.utf8), path: "run.gt.json", frameCount: 3)
  #expect(!gt.hasBoneLengths && gt.frames.count == 2)
  #expect(gt.joints(frame: 0) == nil && gt.joints(frame: 2) == nil)
  let joints = try #require(gt.joints(frame: 1))
  let expected = try Fixtures.tPose().joints3D
  for (a, b) in zip(joints, expected) { #expect(a.distance(to: b) < 1e-9) }
  // Without per-subject lengths the reference is the frame's own bone lengths.
  let ref = try #require(gt.referenceLengths(frame: 1))
  let lengths = try PoseMetrics.boneLengths(expected, skeleton: H36M17.skeleton)
  for (a, b) in zip(ref, lengths) { #expect(abs(a - b) < 1e-9) }
  #expect(gt.referenceLengths(frame: 0) == nil)
  // With both, the per-subject lengths win for the reference and the joints stay for MPJPE.
  let both = "{\"bone_lengths_mm\": {\"neck\": 150}, \"joints_mm\": [\(frame)]}"
  let gt2 = try GroundTruth.parse(Data(both.utf8), path: "b.gt.json", frameCount: 1)
  #expect(gt2.referenceLengths(frame: 0)?[8] == 0.15 && gt2.joints(frame: 0) != nil)
}

@Test(arguments: [
  ("", "not valid JSON"),
  ("{\"bone_lengths_mm\": {\"neck\": 150", "not valid JSON"),
  ("[1, 2]", "top level must be a JSON object"),
  ("{}", "needs \"bone_lengths_mm\""),
  ("{\"version\": 2, \"bone_lengths_mm\": {\"neck\": 1}}", "\"version\" must be 1"),
  ("{\"bone_lengths_mm\": [150]}", "must be an object"),
  ("{\"bone_lengths_mm\": {}}", "is empty"),
  ("{\"bone_lengths_mm\": {\"femur\": 400}}", "unknown bone \"femur\""),
  ("{\"bone_lengths_mm\": {\"neck\": -3}}", "bone_lengths_mm.neck must be a length"),
  ("{\"bone_lengths_mm\": {\"neck\": \"150\"}}", "bone_lengths_mm.neck must be a length"),
  ("{\"bone_lengths_mm\": {\"neck\": true}}", "bone_lengths_mm.neck must be a length"),
  ("{\"bone_lengths_mm\": {\"neck\": 1e300}}", "bone_lengths_mm.neck must be a length"),
  ("{\"joints_mm\": {\"0\": []}}", "must be an array"),
  ("{\"joints_mm\": [[[0, 0, 0]]]}", "joints_mm[0] must be null or 17 joints"),
  ("{\"joints_mm\": [null, null]}", "no frame with joints"),
  ("{\"joints_mm\": []}", "no frame with joints"),
])
func badSidecarsAreRejected(json: String, message: String) {
  do {
    _ = try GroundTruth.parse(Data(json.utf8), path: "/x/bad.gt.json")
    Issue.record("accepted: \(json)")
  } catch {
    #expect(error.path == "/x/bad.gt.json")
    #expect(error.description.hasPrefix("/x/bad.gt.json: "))
    #expect(error.reason.contains(message), "\(error.reason)")
  }
}

@Test func badJointValuesNameTheJoint() throws {
  var joints = (0..<17).map { _ in "[0, 0, 0]" }
  joints[13] = "[0, 0]"
  let short = "{\"joints_mm\": [[\(joints.joined(separator: ","))]]}"
  #expect(throws: GroundTruthError.self) { try GroundTruth.parse(Data(short.utf8), path: "p") }
  do {
    _ = try GroundTruth.parse(Data(short.utf8), path: "p")
  } catch {
    #expect(error.reason.contains("joints_mm[0][13] (left_wrist) must be [x, y, z]"))
  }
  joints[13] = "[0, null, 0]"
  let null = "{\"joints_mm\": [[\(joints.joined(separator: ","))]]}"
  do {
    _ = try GroundTruth.parse(Data(null.utf8), path: "p")
    Issue.record("accepted a null coordinate")
  } catch {
    #expect(error.reason.contains("(left_wrist) has a value that is not a finite number"))
  }
  // More frames than the folder has.
  let frame = try tPoseFrameJSON()
  do {
    _ = try GroundTruth.parse(Data("{\"joints_mm\": [\(frame), \(frame)]}".utf8), path: "p", frameCount: 1)
    Issue.record("accepted two frames for one image")
  } catch {
    #expect(error.reason.contains("has 2 frames but the image has 1"))
  }
}

@Test func unreadableSidecars() throws {
  let dir = try TestFiles.makeTemporaryFolderURL("posescope-gt")
  defer { try? FileManager.default.removeItem(at: dir) }
  // Unreadable: a folder where the file should be.
  let odd = dir.appendingPathComponent("odd.gt.json")
  try FileManager.default.createDirectory(at: odd, withIntermediateDirectories: true)
  #expect(throws: GroundTruthError.self) { try GroundTruth.load(path: odd.path) }
  do {
    _ = try GroundTruth.load(path: dir.appendingPathComponent("missing.gt.json").path)
  } catch {
    #expect(error.reason.contains("cannot read"))
  }
}
