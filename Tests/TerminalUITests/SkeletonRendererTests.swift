// TerminalUITests: 3D skeleton drawing (pivot, error colours, worst bone, visibility, grid, gizmo, bad input).

import PoseScope
import Testing

@testable import TerminalUI

private func plainStyle() -> SkeletonStyle {
  var style = SkeletonStyle()
  style.showGrid = false
  style.showGizmo = false
  return style
}

/// The cell halfway along the bone between joints `a` and `b` as drawn.
private func midCell(_ result: SkeletonRenderResult, _ a: Int, _ b: Int) throws -> (Int, Int) {
  let pa = try #require(result.projected[a])
  let pb = try #require(result.projected[b])
  return (Int(((pa.x + pb.x) / 2).rounded(.down)), Int(((pa.y + pb.y) / 2).rounded(.down)))
}

@Test func pivots() throws {
  let fixture = try Fixtures.tPose()
  var joints = fixture.joints3D
  joints[0] = Vec3(0.01, 0.02, 0.03)
  #expect(Pose3D(skeleton: .h36m17, joints: joints).pivot == Vec3(0.01, 0.02, 0.03))
  var blaze = [Vec3](repeating: Vec3(5, 5, 5), count: 33)
  blaze[BlazePose33.leftHip.rawValue] = Vec3(0.1, 0, 0.2)
  blaze[BlazePose33.rightHip.rawValue] = Vec3(-0.1, 0, 0)
  #expect(Pose3D(skeleton: .blazePose33, joints: blaze).pivot == Vec3(0, 0, 0.1))
  // Missing pelvis: the centroid of the finite joints.
  joints[0] = Vec3(.nan, 0, 0)
  let centroid = Pose3D(skeleton: .h36m17, joints: [Vec3(.nan, 0, 0), Vec3(1, 0, 0), Vec3(3, 2, 0)]).pivot
  #expect(centroid == Vec3(2, 1, 0))
  #expect(Pose3D(skeleton: .h36m17, joints: []).pivot == nil)
}

@Test func bonesColouredByErrorWithTheWorstHighlighted() throws {
  let fixture = try Fixtures.tPose()
  var errors = [Double](repeating: 0, count: 16)
  errors[H36M17.BoneID.rightForearm.rawValue] = 50
  errors[H36M17.BoneID.leftForearm.rawValue] = 25
  let pose = Pose3D(
    skeleton: .h36m17, joints: fixture.joints3D, visibility: fixture.visibility, boneErrors: errors)
  var canvas = AsciiCanvas(width: 80, height: 40)
  var style = plainStyle()
  style.depthShading = false
  let result = SkeletonRenderer.render(pose, camera: Camera3D(), style: style, into: &canvas)
  #expect(result.worstBone == H36M17.BoneID.rightForearm.rawValue)
  var grid = CellGrid(width: 80, height: 40)
  canvas.render(into: &grid, x: 0, y: 0)
  let (rx, ry) = try midCell(result, 15, 16)
  #expect(grid[rx, ry].scalar == "-")
  #expect(grid[rx, ry].foreground == Color.errorRamp(1))
  #expect(grid[rx, ry].attributes == [.bold])
  // The worst bone is drawn twice as thick.
  #expect(
    grid[rx, ry + 1].foreground == Color.errorRamp(1) || grid[rx, ry - 1].foreground == Color.errorRamp(1))
  let (lx, ly) = try midCell(result, 12, 13)
  // Left forearm: half the largest error (yellow), dotted because the left wrist has low visibility.
  #expect(grid[lx, ly].foreground == Color.errorRamp(0.5).scaled(by: style.dimFactor))
  #expect(grid[lx, ly].scalar == "." && grid[lx, ly].attributes == [.dim])
  let (sx, sy) = try midCell(result, 8, 7)
  #expect(grid[sx, sy].scalar == "|" && grid[sx, sy].foreground == Color.errorRamp(0))
}

@Test func bonesColouredBySideWithDepthShading() throws {
  let fixture = try Fixtures.tPose()
  let pose = Pose3D(skeleton: .h36m17, joints: fixture.joints3D)
  var canvas = AsciiCanvas(width: 80, height: 40)
  let style = plainStyle()
  let result = SkeletonRenderer.render(pose, camera: Camera3D(), style: style, into: &canvas)
  #expect(result.worstBone == nil)
  var grid = CellGrid(width: 80, height: 40)
  canvas.render(into: &grid, x: 0, y: 0)
  // Depths (z) range from −0.06 (nose) to 0.03 (ankles); the upper arms are at −0.02.
  let armShade = 1 - (1 - style.farBrightness) * (0.04 / 0.09)
  let (ux, uy) = try midCell(result, 14, 15)
  #expect(grid[ux, uy].foreground == style.rightColor.scaled(by: armShade))
  let (lx, ly) = try midCell(result, 11, 12)
  #expect(grid[lx, ly].foreground == style.leftColor.scaled(by: armShade))
  // The shins end at the farthest depth: darker than the arms.
  let (kx, ky) = try midCell(result, 2, 3)
  let shin = try #require(grid[kx, ky].foreground.rgbComponents)
  let arm = try #require(grid[ux, uy].foreground.rgbComponents)
  #expect(shin.r < arm.r)
  #expect(grid[Int(result.projected[12]!.x), Int(result.projected[12]!.y)].scalar == "o")
}

@Test func groundGridAndGizmo() throws {
  let fixture = try Fixtures.tPose()
  let pose = Pose3D(skeleton: .h36m17, joints: fixture.joints3D)
  var canvas = AsciiCanvas(width: 80, height: 40)
  let style = SkeletonStyle.standard
  let result = SkeletonRenderer.render(pose, camera: Camera3D(pitch: 0.4), style: style, into: &canvas)
  var grid = CellGrid(width: 80, height: 40)
  canvas.render(into: &grid, x: 0, y: 0)
  let ankleRow = Int(try #require(result.projected[3]).y)
  var gridRows: [Int] = []
  for y in 0..<40 {
    for x in 0..<80 where grid[x, y].foreground == style.gridColor && grid[x, y].scalar == "." {
      gridRows.append(y)
    }
  }
  #expect(gridRows.count > 40)
  // Looking down, the floor square around the feet spreads above and below the ankles.
  #expect((gridRows.max() ?? 0) > ankleRow && (gridRows.min() ?? 99) < ankleRow)
  // Gizmo labels in the bottom-left corner.
  var labels: [Unicode.Scalar: (Int, Int)] = [:]
  for y in 20..<40 {
    for x in 0..<40 where ["x", "y", "z"].contains(grid[x, y].scalar) && grid[x, y].attributes == [.bold] {
      labels[grid[x, y].scalar] = (x, y)
    }
  }
  #expect(labels.count == 3)
  // x points right and y (down in the world) points down the screen.
  if let x = labels["x"], let y = labels["y"], let z = labels["z"] {
    #expect(x.0 > z.0)
    #expect(y.1 > x.1)
  }
  // Without grid and gizmo none of that is drawn.
  var bare = AsciiCanvas(width: 80, height: 40)
  SkeletonRenderer.render(pose, camera: Camera3D(pitch: 0.4), style: plainStyle(), into: &bare)
  var bareGrid = CellGrid(width: 80, height: 40)
  bare.render(into: &bareGrid, x: 0, y: 0)
  #expect(!bareGrid.cells.contains { $0.foreground == style.gridColor })
}

@Test func badPosesNeverCrash() throws {
  var canvas = BrailleCanvas(width: 30, height: 10)
  let cases: [Pose3D] = [
    Pose3D(skeleton: .h36m17, joints: []),
    Pose3D(skeleton: .h36m17, joints: [Vec3(0, 0, 0), Vec3(1, 1, 1)]),
    Pose3D(skeleton: .h36m17, joints: [Vec3](repeating: Vec3(.nan, .infinity, 0), count: 17)),
    Pose3D(skeleton: .h36m17, joints: [Vec3](repeating: .zero, count: 17)),
    Pose3D(
      skeleton: .h36m17, joints: [Vec3](repeating: Vec3(1e300, -1e300, 1e300), count: 40),
      visibility: [.nan], boneErrors: [.nan, .infinity, -5]),
    Pose3D(
      skeleton: .blazePose33, joints: (0..<33).map { Vec3(Double($0), Double($0 % 5), 0) },
      visibility: [Double](repeating: 0.1, count: 2), boneErrors: []),
  ]
  for pose in cases {
    for camera in [Camera3D(), Camera3D(preset: .top, projection: .perspective), Camera3D(zoom: 50)] {
      canvas.clear()
      SkeletonRenderer.render(pose, camera: camera, into: &canvas)
      var ascii = AsciiCanvas(width: 0, height: 0)
      SkeletonRenderer.render(pose, camera: camera, into: &ascii)
    }
  }
  let zero = Pose3D(skeleton: .h36m17, joints: [Vec3](repeating: .zero, count: 17))
  let result = SkeletonRenderer.render(zero, camera: Camera3D(), into: &canvas)
  #expect(result.radius == 1)
}
