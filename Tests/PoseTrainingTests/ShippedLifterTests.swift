// PoseTrainingTests: the shipped lifter (assets/lifter) — metadata, and plausible 3D on real BlazePose 2D
// of the Sports2D frames (bone lengths, left ≈ right, upright, no left/right flip).

import Foundation
import PoseCore
import Testing

@testable import PoseTraining

/// `<package root>/assets/lifter/posescope-lifter-h36m17.safetensors`.
func shippedLifterPath() -> String {
  URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
    .deletingLastPathComponent().appendingPathComponent("assets/lifter/posescope-lifter-h36m17.safetensors")
    .path
}

@Suite struct ShippedLifterTests {
  @Test func metadataCarriesProvenance() throws {
    let model = try LifterModel.load(path: shippedLifterPath())
    #expect(model.metadata["format"] == LifterModel.format)
    #expect(model.metadata["acknowledgment"]?.contains("mocap.cs.cmu.edu") == true)
    #expect(model.metadata["skeleton"]?.hasPrefix("h36m17") == true)
    #expect(model.metadata["normalization"] != nil && model.metadata["data"] != nil)
    #expect(model.config.augmentation.inputJoints == .blazePose)
  }

  struct Fixture: Decodable {
    struct Frame: Decodable {
      var file: String
      var points: [[Double]]
    }
    var frames: [Frame]
  }

  @Test func realBlazePose2DGivesPlausibleSkeletons() throws {
    let model = try LifterModel.load(path: shippedLifterPath())
    let data = try #require(FileManager.default.contents(atPath: try fixturePath("sports2d_h36m17_2d.json")))
    let fixture = try JSONDecoder().decode(Fixture.self, from: data)
    var checked = 0
    var symmetric = 0
    var legs: [Double] = []
    for frame in fixture.frames {
      let points = frame.points.map { Vec2($0[0], $0[1]) }
      try #require(points.count == 17)
      // Only frames where the 2D person is upright (head top well above the pelvis).
      guard points[0].y - points[10].y > 100 else { continue }
      checked += 1
      let pose = try model.lift(points)
      let l = try PoseMetrics.boneLengths(pose, skeleton: .h36m17)
      let name = frame.file
      // Bones 1, 2 = right femur, shin; 4, 5 = left femur, shin (H36M17.bones order). Loose per-frame
      // bounds (a detector's 2D can be off in single frames), tight bounds on the median below.
      for k in [1, 2, 4, 5] { #expect(l[k] > 180 && l[k] < 650, "\(name): bone \(k) is \(l[k]) mm") }
      legs += [l[1], l[2], l[4], l[5]]
      if abs(l[1] - l[4]) < 0.15 * l[1] && abs(l[2] - l[5]) < 0.15 * l[2] && abs(l[11] - l[14]) < 0.2 * l[11]
      {
        symmetric += 1
      }
      // Upright in 3D too (camera y points down) …
      #expect(pose[10].y < pose[0].y - 400, "\(name): head top not above the pelvis")
      // … and no left/right flip: the shoulders keep their 2D order when they are well apart in 2D.
      let dx2D = points[11].x - points[14].x
      if abs(dx2D) > 25 {
        #expect((pose[11].x - pose[14].x) * dx2D > 0, "\(name): shoulders flipped")
      }
    }
    let median = try #require(PoseMetrics.median(legs))
    #expect(median > 350 && median < 550, "median femur/shin length \(median) mm")
    #expect(
      Double(symmetric) >= 0.8 * Double(checked), "left ≈ right in only \(symmetric) of \(checked) frames")
    #expect(checked >= 8)
  }
}
