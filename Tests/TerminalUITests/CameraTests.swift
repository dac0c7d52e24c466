// TerminalUITests: orbit camera projection (presets, perspective, up axis) and the T-pose side view.

import PoseScope
import Testing

@testable import TerminalUI

private func projector(_ camera: Camera3D, aspect: Double = 1) -> Projector {
  camera.projector(width: 100, height: 100, dotAspect: aspect, target: .zero, radius: 1)
}

private func close(_ p: ProjectedPoint?, _ x: Double, _ y: Double, _ depth: Double) -> Bool {
  guard let p else { return false }
  return abs(p.x - x) < 1e-9 && abs(p.y - y) < 1e-9 && abs(p.depth - depth) < 1e-9
}

@Test func frontViewIsTheOriginalCameraView() {
  // Scale at zoom 1: 0.95 · 0.5 · min(100, 100) / radius = 47.5 dots per unit.
  let p = projector(Camera3D(preset: .front))
  #expect(close(p.project(Vec3(1, 0, 0)), 97.5, 50, 0))
  #expect(close(p.project(Vec3(0, -1, 0)), 50, 2.5, 0))  // up (−y) is up on screen
  #expect(close(p.project(Vec3(0, 0, 1)), 50, 50, 1))  // farther from the camera: larger depth
  // Dots twice as tall as wide (ASCII): vertical offsets halve.
  let a = projector(Camera3D(preset: .front), aspect: 2)
  #expect(close(a.project(Vec3(0, 1, 0)), 50, 50 + 47.5 / 2, 0))
  #expect(Camera3D(preset: .front).preset == .front)
}

@Test func presetsRotateAboutTheVerticalAndLookDown() {
  let side = projector(Camera3D(preset: .side))
  #expect(close(side.project(Vec3(1, 0, 0)), 50, 50, -1))
  #expect(close(side.project(Vec3(0, 0, 1)), 97.5, 50, 0))
  #expect(close(side.project(Vec3(0, -1, 0)), 50, 2.5, 0))
  let back = projector(Camera3D(preset: .back))
  #expect(close(back.project(Vec3(1, 0, 0)), 2.5, 50, 0))
  #expect(close(back.project(Vec3(0, 0, 1)), 50, 50, -1))
  let top = projector(Camera3D(preset: .top))
  #expect(close(top.project(Vec3(0, -1, 0)), 50, 50, -1))  // the head end is nearest from above
  #expect(close(top.project(Vec3(0, 0, 1)), 50, 2.5, 0))
  #expect(close(top.project(Vec3(1, 0, 0)), 97.5, 50, 0))
  for preset in Camera3D.Preset.allCases {
    var camera = Camera3D(yaw: 0.3, pitch: -0.2, zoom: 2)
    camera.apply(preset)
    #expect(camera.preset == preset)
    #expect(camera.zoom == 2)
  }
}

@Test func perspectiveMagnifiesNearPoints() {
  let camera = Camera3D(projection: .perspective, distance: 4)
  let p = projector(camera)
  // At the target's depth it matches the orthographic scale.
  #expect(close(p.project(Vec3(1, 0, 0)), 97.5, 50, 4))
  // One unit nearer: 4 / 3 larger.
  #expect(close(p.project(Vec3(1, 0, -1)), 50 + 47.5 * 4 / 3, 50, 3))
  #expect(close(p.project(Vec3(1, 0, 1)), 50 + 47.5 * 4 / 5, 50, 5))
  #expect(p.project(Vec3(0, 0, -5)) == nil)  // behind the eye
  #expect(p.project(Vec3(.nan, 0, 0)) == nil)
  #expect(camera.projection.toggled == .orthographic)
}

@Test func orbitZoomAndClamping() {
  var camera = Camera3D()
  camera.orbit(yaw: .pi * 3, pitch: 2)
  #expect(abs(camera.yaw - .pi) < 1e-12)
  #expect(camera.pitch == .pi / 2)
  camera.orbit(yaw: 0.5, pitch: -10)
  #expect(abs(camera.yaw - (-.pi + 0.5)) < 1e-12)
  #expect(camera.pitch == -.pi / 2)
  camera.zoom(by: 1000)
  #expect(camera.zoom == 50)
  camera.zoom(by: .nan)
  #expect(camera.zoom == 1)
  #expect(Camera3D(yaw: .infinity, pitch: .nan, zoom: 0).yaw == 0)
  #expect(Camera3D(zoom: 2).summary() == "front ortho ×2.0")
  let turned = Camera3D(yaw: .pi / 6, pitch: .pi / 12, projection: .perspective)
  #expect(turned.summary() == "yaw 30° pitch 15° persp ×1.0")
  #expect(turned.summary(glyphs: .ascii) == "yaw 30 pitch 15 persp x1.0")
  // Zoom scales distances from the centre.
  let zoomed = Camera3D(zoom: 2).projector(width: 100, height: 100, dotAspect: 1, target: .zero, radius: 1)
  #expect(close(zoomed.project(Vec3(0.5, 0, 0)), 97.5, 50, 0))
}

@Test func zUpWorldsAreTurnedUpright() {
  let camera = Camera3D(worldUp: Vec3(0, 0, 1))
  #expect(camera.upAlignment.isRotation())
  let p = projector(camera)
  let up = p.project(Vec3(0, 0, 1))
  #expect(up.map { abs($0.x - 50) < 1e-9 && abs($0.y - 2.5) < 1e-9 } == true)
  // Opposite up: a half turn.
  let flipped = projector(Camera3D(worldUp: Vec3(0, 1, 0)))
  #expect(flipped.project(Vec3(0, 1, 0)).map { abs($0.y - 2.5) < 1e-9 } == true)
}

@Test func tPoseTurnedSidewaysCollapsesTheArmsOntoOneColumn() throws {
  let fixture = try Fixtures.tPose()
  let armJoints = [11, 12, 13, 14, 15, 16]
  // Only the arms, so every lit dot belongs to them.
  let arms = try Skeleton(
    name: "arms", jointNames: H36M17.names, jointSides: H36M17.sides, parents: nil,
    connections: H36M17.connections.filter { armJoints.contains($0.a) && armJoints.contains($0.b) },
    bones: [], bonePairs: [])
  let pose = Pose3D(skeleton: arms, joints: fixture.joints3D)
  var style = SkeletonStyle()
  style.showGrid = false
  style.showGizmo = false
  style.showJoints = false

  var side = BrailleCanvas(width: 40, height: 20)
  let result = SkeletonRenderer.render(pose, camera: Camera3D(preset: .side), style: style, into: &side)
  let xs = armJoints.compactMap { result.projected[$0]?.x }
  #expect(xs.count == 6)
  let shoulderX = try #require(result.projected[11]?.x)
  for x in xs { #expect(abs(x - shoulderX) < 1e-9) }
  // The arms are at z = −0.02, slightly in front of the pelvis pivot: left of the centre column.
  #expect(shoulderX < Double(side.dotWidth) / 2)
  let column = Int(shoulderX.rounded(.down))
  var litColumns = Set<Int>()
  for cy in 0..<side.height {
    for cx in 0..<side.width {
      let bits = side.cellBits(x: cx, y: cy)
      if bits & 0x47 != 0 { litColumns.insert(2 * cx) }
      if bits & 0xB8 != 0 { litColumns.insert(2 * cx + 1) }
    }
  }
  #expect(litColumns == [column])

  // From the front the same arms span most of the canvas width.
  var front = BrailleCanvas(width: 40, height: 20)
  let frontResult = SkeletonRenderer.render(
    pose, camera: Camera3D(preset: .front), style: style, into: &front)
  let frontXs = armJoints.compactMap { frontResult.projected[$0]?.x }
  let span = (frontXs.max() ?? 0) - (frontXs.min() ?? 0)
  #expect(span > Double(front.dotWidth) * 0.5)
}
