// FrameRecord / EstimateDocument: the JSON and CSV that `posescope estimate` writes (schema 1).
import Foundation
import PoseScope
import PoseScopeTestSupport
import Testing

@testable import PoseFormats

struct FrameRecordTests {
  /// A standing pose: BlazePose world landmarks with known bone lengths, image landmarks on a grid.
  func result() -> PoseResult {
    var world = [SIMD3<Double>](repeating: .zero, count: 33)
    world[23] = [0.1, 0, 0]  // left hip
    world[24] = [-0.1, 0, 0]  // right hip
    world[25] = [0.1, 0.4, 0]  // left knee: 0.4 m below the hip (y down)
    world[26] = [-0.1, 0.4, 0]
    world[27] = [0.1, 0.8, 0]
    world[28] = [-0.1, 0.8, 0]
    world[11] = [0.2, -0.5, 0]
    world[12] = [-0.2, -0.5, 0]
    world[13] = [0.2, -0.2, 0]
    world[14] = [-0.2, -0.2, 0]
    world[15] = [0.2, 0.05, 0]
    world[16] = [-0.2, 0.05, 0]
    world[0] = [0, -0.7, -0.05]
    world[7] = [0.07, -0.68, 0]
    world[8] = [-0.07, -0.68, 0]
    let lm = (0..<33).map { i in
      PoseLandmark(x: Double(i) / 40, y: 0.5, z: -0.1, visibility: 0.9, presence: 0.95)
    }
    return PoseResult(
      imageWidth: 400, imageHeight: 300, poseScore: 0.97, detection: nil,
      roi: NormalizedRect(xCenter: 0.5, yCenter: 0.5, width: 0.8, height: 0.8), nextROI: nil,
      landmarks: lm, worldLandmarks: world)
  }

  @Test func recordHoldsPixelsMetresAndBones() throws {
    let r = PoseFrame(width: 400, height: 300, result: result()).record(file: "a.png")
    #expect(r.person && r.score == 0.97)
    let lm = try #require(r.landmarks)
    #expect(lm.count == 33 && lm[8] == [80, 150, -40, 0.9, 0.95])  // x·W, y·H, z·W
    #expect(try #require(r.worldLandmarks).count == 33)
    let bones = try #require(r.boneLengths)
    #expect(bones.map(\.name) == H36M17.boneNames)
    let upperLeg = try #require(bones.first { $0.name == "left_upper_leg" })
    #expect(abs(upperLeg.lengthM - 0.4) < 1e-9)
    #expect(try #require(r.h36m17).count == 17 && r.h36m17Image?.count == 17)
    let none = PoseFrame(width: 10, height: 10, result: nil).record(file: "b.png")
    #expect(!none.person && none.landmarks == nil && none.boneLengths == nil)
  }

  @Test func liftedJointsAndTheirBonesAreAddedOnlyWhenValid() throws {
    var r = PoseFrame(width: 400, height: 300, result: result()).record(file: "a.png")
    var joints = [SIMD3<Double>](repeating: .zero, count: 17)
    joints[5] = [0.1, 0.45, 0]  // left knee, 0.45 m below the left hip at the origin
    r.attachLifted(Array(joints.prefix(16)))
    #expect(r.liftedH36m17 == nil, "16 joints are not a pose")
    joints[0] = [.nan, 0, 0]
    r.attachLifted(joints)
    #expect(r.liftedH36m17 == nil, "non-finite joints are dropped")
    joints[0] = .zero
    r.attachLifted(joints)
    #expect(try #require(r.liftedH36m17).count == 17)
    let thigh = try #require(r.liftedBoneLengths?.first { $0.name == "left_upper_leg" })
    #expect(abs(thigh.lengthM - (0.01 + 0.2025).squareRoot()) < 1e-6)
    let data = try EstimateDocument(frames: [r], failures: []).json()
    let text = String(decoding: data, as: UTF8.self)
    #expect(text.contains("\"lifted_h36m17\"") && text.contains("\"lifted_bone_lengths\""))
  }

  @Test func jsonRoundTripsWithStableKeys() throws {
    let doc = EstimateDocument(
      frames: [
        PoseFrame(width: 400, height: 300, result: result()).record(
          file: "seq/f1.png", sequence: "seq", frame: 0),
        PoseFrame(width: 400, height: 300, result: nil).record(
          file: "v.mp4", sequence: "v.mp4", frame: 1, time: 1.0 / 30),
      ],
      failures: [FrameFailure(file: "seq/bad.png", error: "seq/bad.png: truncated \"PNG\"")])
    let data = try doc.json()
    #expect(try JSONDecoder().decode(EstimateDocument.self, from: data) == doc)
    let top = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
    #expect(Set(top.keys) == ["schema", "generator", "frames", "failures"])
    #expect(top["schema"] as? Int == 1)
    let frames = try #require(top["frames"] as? [[String: Any]])
    #expect(
      Set(frames[0].keys) == [
        "file", "sequence", "frame", "width", "height", "person", "score", "landmarks", "world_landmarks",
        "h36m17", "h36m17_image", "bone_lengths",
      ])
    #expect(frames[1]["time_s"] as? Double == 0.033333)
    // One landmark list per line: a frame is tens of lines, not thousands.
    let text = String(decoding: data, as: UTF8.self)
    #expect(text.split(separator: "\n").count < 60)
  }

  @Test func csvHasOneRowPerFrameAndStableColumns() throws {
    let doc = EstimateDocument(
      frames: [
        PoseFrame(width: 400, height: 300, result: result()).record(file: "a,b.png"),
        PoseFrame(width: 400, height: 300, result: nil).record(file: "c.png"),
      ], failures: [])
    let lines = doc.csv().split(separator: "\n", omittingEmptySubsequences: false).dropLast()
    #expect(lines.count == 3)
    #expect(EstimateDocument.csvHeader.count == 8 + 33 * 4 + 33 * 3 + 17 * 3 + 16)
    #expect(lines[0] == Substring(EstimateDocument.csvHeader.joined(separator: ",")))
    #expect(lines[1].hasPrefix("\"a,b.png\",,,,400,300,1,0.97,0.0,150.0,"))
    // Quoted commas do not add columns; empty pose fields keep the column count.
    func fields(_ s: Substring) -> Int {
      var n = 1
      var quoted = false
      for c in s {
        if c == "\"" { quoted.toggle() } else if c == "," && !quoted { n += 1 }
      }
      return n
    }
    #expect(lines.allSatisfy { fields($0) == EstimateDocument.csvHeader.count })
  }

  @Test func writeAtomicallyReplacesAndNeverLeavesTemporaries() throws {
    let dir = try TestFiles.makeTemporaryFolderURL("posescope-rec")
    defer { try? FileManager.default.removeItem(at: dir) }
    let path = dir.appendingPathComponent("out.json").path
    try writeAtomically(Data("old".utf8), to: path)
    try writeAtomically(Data("new".utf8), to: path)
    #expect(try String(contentsOfFile: path, encoding: .utf8) == "new")
    #expect(try FileManager.default.contentsOfDirectory(atPath: dir.path) == ["out.json"])
    // A target that cannot be replaced (a non-empty directory) fails and leaves it as it was.
    let blocker = dir.appendingPathComponent("blocked")
    try FileManager.default.createDirectory(
      at: blocker.appendingPathComponent("x"), withIntermediateDirectories: true)
    #expect(throws: (any Error).self) { try writeAtomically(Data("x".utf8), to: blocker.path) }
    #expect(
      try FileManager.default.contentsOfDirectory(atPath: dir.path).sorted() == ["blocked", "out.json"])
  }
}
