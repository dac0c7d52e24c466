// PoseTrainingTests: the JSON and CSV pose-sequence formats (fixtures written by hand, in mm).

import Foundation
import PoseCore
import PoseScopeTestSupport
import Testing

@testable import PoseTraining

@Suite struct PoseSequenceTests {
  @Test func jsonAndCSVFixturesGiveTheSamePosesInMetres() throws {
    let json = try PoseSequence.load(path: try fixturePath("poses/standing.json"))
    let csv = try PoseSequence.load(path: try fixturePath("poses/standing.csv"), metresPerUnit: 0.001)
    #expect(json.poses.count == 2 && json.frameTime == 0.02)
    #expect(json.poses == csv.poses)
    expectClose(json.poses[0][10], Vec3(0, 1.7, 0))
    expectClose(json.poses[1][0], Vec3(0.01, 0.95, 0))
    let femur = try PoseMetrics.boneLengths(json.poses[0], skeleton: .h36m17)[
      H36M17.BoneID.leftUpperLeg.rawValue]
    #expect(abs(femur - 0.43) < 1e-12)
  }

  func expectBad(
    _ result: () throws -> PoseSequence, _ fragment: String, sourceLocation: SourceLocation = #_sourceLocation
  ) {
    do {
      _ = try result()
      Issue.record("accepted a bad file", sourceLocation: sourceLocation)
    } catch {
      #expect("\(error)".contains(fragment), "\(error)", sourceLocation: sourceLocation)
    }
  }

  @Test func malformedFilesNameTheProblem() throws {
    let csv = try String(contentsOfFile: try fixturePath("poses/standing.csv"), encoding: .utf8)
    var lines = csv.split(separator: "\n").map(String.init)
    let header = lines[0]
    expectBad({ try PoseSequence.decodeCSV(Data(), path: "e.csv") }, "no header row")
    expectBad(
      {
        try PoseSequence.decodeCSV(
          Data(header.replacingOccurrences(of: "pelvis_x", with: "hip_x").utf8), path: "h.csv")
      },
      "line 1: the header must be")
    lines[2] = lines[2].replacingOccurrences(of: "1700", with: "abc")
    expectBad(
      { try PoseSequence.decodeCSV(Data(lines.joined(separator: "\n").utf8), path: "n.csv") },
      "line 3: head_top_y 'abc'")
    expectBad(
      { try PoseSequence.decodeCSV(Data((header + "\n1,2,3\n").utf8), path: "s.csv") }, "line 2: 3 values")
    expectBad(
      { try PoseSequence.decodeJSON(Data("{\"skeleton\":\"coco\",\"frames\":[]}".utf8), path: "k.json") },
      "skeleton 'coco'")
    expectBad(
      {
        try PoseSequence.decodeJSON(Data("{\"skeleton\":\"h36m17\",\"frames\":[[1,2]]}".utf8), path: "f.json")
      }, "frame 0 has 2 numbers")
    expectBad({ try PoseSequence.decodeJSON(Data("[1]".utf8), path: "x.json") }, "not a pose-sequence JSON")
    expectBad({ try PoseSequence.load(path: "/nonexistent/p.json") }, "cannot read")
  }
}
