// TerminalUITests: full headless frames (golden text snapshots at 120×40) and frames at many sizes.

import Foundation
import PoseScope
import Testing

@testable import TerminalUI

/// The viewer content used by the snapshots: the fixture T-pose over the synthetic image, its bone
/// table against Winter's proportions for 1.75 m with a made-up 24-frame history, and a browser list.
private func fixtureContent(camera: Camera3D = Camera3D()) throws -> FrameContent {
  let fixture = try Fixtures.tPose()
  let skeleton = Skeleton.h36m17
  let joints = fixture.joints3D
  let lengths = try PoseMetrics.boneLengths(joints, skeleton: skeleton)
  let reference = Anthropometry.referenceBoneLengths(height: fixture.referenceHeight)
  let history = (0..<24).map { f in
    lengths.enumerated().map { b, l in l * (1 + 0.03 * sin(0.9 * Double(f) + Double(b))) }
  }
  var truth = joints.map { $0 * 1.02 }
  truth[13] += Vec3(0.03, 0.02, 0)
  let errors = zip(lengths, reference).map { abs($0 - $1) * 1000 }
  let table = BoneTable(
    skeleton: skeleton, lengths: lengths, reference: reference, history: history,
    mpjpe: try PoseMetrics.mpjpe(joints, truth) * 1000, paMPJPE: try PoseMetrics.paMPJPE(joints, truth) * 1000
  )
  let browser = ListPane(
    items: [
      ListItem(label: "astronaut.png"), ListItem(label: "bus.jpg"), ListItem(label: "grace_hopper.jpg"),
      ListItem(label: "zidane.jpg"), ListItem(label: "sports2d", detail: "230 fr", isFolder: true),
    ], selection: 4, footer: "frame 12/230")
  return FrameContent(
    browserTitle: "Files", browser: browser, imageTitle: "sports2d/frame_0012.jpg 96x128",
    image: Fixtures.syntheticImage(),
    pose2D: Pose2D(skeleton: skeleton, points: fixture.points2D, visibility: fixture.visibility),
    pose3D: Pose3D(skeleton: skeleton, joints: joints, visibility: fixture.visibility, boneErrors: errors),
    camera: camera, boneTable: table,
    status: "q quit  arrows frame  tab pane  c camera  o ortho/persp  / filter", focus: .skeleton)
}

@Test func snapshotFrame120x40Unicode() throws {
  let grid = FrameRenderer.render(
    try fixtureContent(), width: 120, height: 40, options: RenderOptions(colorMode: .none))
  let text = ansiString(grid, mode: .none)
  #expect(text.split(separator: "\n", omittingEmptySubsequences: false).count == 41)
  #expect(grid.lines.allSatisfy { $0.unicodeScalars.count == 120 })
  Snapshot.check(text, named: "frame_120x40_none.txt")
}

@Test func snapshotFrame120x40Ascii() throws {
  let camera = Camera3D(yaw: .pi / 6, pitch: .pi / 12, projection: .perspective)
  let grid = FrameRenderer.render(
    try fixtureContent(camera: camera), width: 120, height: 40,
    options: RenderOptions(colorMode: .none, glyphs: .ascii))
  let text = ansiString(grid, mode: .none)
  #expect(text.unicodeScalars.allSatisfy { $0.isASCII })
  Snapshot.check(text, named: "frame_120x40_ascii.txt")
}

@Test func coloursSurviveToTheAnsiOutput() throws {
  let content = try fixtureContent()
  let options = RenderOptions(colorMode: .truecolor)
  var grid = CellGrid(width: 120, height: 40)
  let info = FrameRenderer.render(content, into: &grid, options: options)
  let mapping = try #require(info.imageMapping)
  #expect(info.layout != nil && info.skeleton?.worstBone != nil)
  // The half-block image is in the image pane's content area, 1 × 2 pixels per cell, aspect kept.
  let imagePane = try #require(info.layout?.image.inset(by: 1))
  #expect(mapping.rect.intersection(imagePane) == mapping.rect)
  #expect(abs(Double(mapping.pixelWidth) / Double(mapping.pixelHeight) - 96.0 / 128.0) < 0.05)
  let half = grid[mapping.rect.x + 1, mapping.rect.y + 1]
  #expect(half.scalar == "▀")
  let truecolor = ansiString(grid, mode: .truecolor)
  #expect(truecolor.contains("\u{1B}[0;38;2;"))
  let palette = ansiString(grid, mode: .palette256)
  #expect(palette.contains("\u{1B}[0;38;5;") && !palette.contains("38;2;"))
  let sixteen = ansiString(grid, mode: .palette16)
  #expect(!sixteen.contains("38;5;") && !sixteen.contains("38;2;"))
  // Without escapes, all three are the same text as the plain rendering of the same grid.
  let stripped = truecolor.replacing(#/\x1B\[[0-9;]*m/#, with: "")
  #expect(stripped == ansiString(grid, mode: .none))
}

@Test(arguments: [(80, 24), (120, 40), (200, 60), (79, 24), (3, 1)])
func framesAtManySizes(width: Int, height: Int) throws {
  let content = try fixtureContent(camera: Camera3D(yaw: 1, pitch: 0.5, zoom: 3, projection: .perspective))
  for mode in ColorMode.allCases {
    for glyphs in GlyphSet.allCases {
      let grid = FrameRenderer.render(
        content, width: width, height: height, options: RenderOptions(colorMode: mode, glyphs: glyphs))
      let lines = grid.lines
      #expect(lines.count == height)
      #expect(lines.allSatisfy { TextWidth.columns(of: $0) == width })
      let text = ansiString(grid, mode: mode)
      #expect(text.filter { $0 == "\n" }.count == height)
    }
  }
  // An empty frame (nothing loaded) also renders.
  let empty = FrameRenderer.render(
    FrameContent(), width: width, height: height, options: RenderOptions(colorMode: .palette16))
  if width >= 80 && height >= 24 {
    #expect(empty.lines.joined().contains("no image"))
    #expect(empty.lines.joined().contains("no pose"))
  }
}
