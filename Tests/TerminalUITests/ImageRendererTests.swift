// TerminalUITests: half-block and ASCII-shade image rendering, aspect fitting and the 2D overlay.

import PoseScope
import Testing

@testable import TerminalUI

private func image(_ width: Int, _ height: Int, _ color: (Int, Int) -> (UInt8, UInt8, UInt8)) throws -> Image
{
  var pixels: [UInt8] = []
  for y in 0..<height {
    for x in 0..<width {
      let c = color(x, y)
      pixels += [c.0, c.1, c.2]
    }
  }
  return try #require(Image(width: width, height: height, pixels: pixels))
}

@Test func halfBlocksOfATinyImageAreExact() throws {
  let img = try image(4, 4) { x, y in (UInt8(x * 60), UInt8(y * 60), 7) }
  var grid = CellGrid(width: 4, height: 2)
  let mapping = try #require(
    ImageRenderer.render(img, into: &grid, rect: Rect(x: 0, y: 0, width: 4, height: 2), mode: .truecolor))
  #expect(
    mapping
      == ImageCellMapping(
        imageWidth: 4, imageHeight: 4, pixelWidth: 4, pixelHeight: 4,
        rect: Rect(x: 0, y: 0, width: 4, height: 2)))
  for row in 0..<2 {
    for x in 0..<4 {
      let cell = grid[x, row]
      #expect(cell.scalar == "▀")
      #expect(cell.foreground == .rgb(UInt8(x * 60), UInt8(2 * row * 60), 7))
      #expect(cell.background == .rgb(UInt8(x * 60), UInt8((2 * row + 1) * 60), 7))
    }
  }
  // The same cells in 256 colours after quantisation by the writer: cell (3, 1) is (180, 120, 7) over
  // (180, 180, 7).
  let esc = "\u{1B}["
  #expect(
    ansiString(grid, mode: .palette256).contains(
      esc + "0;38;5;\(XTermPalette.nearest256(180, 120, 7));48;5;\(XTermPalette.nearest256(180, 180, 7))m▀"))
}

@Test func imageIsCentredAndOddHeightsLeaveTheLastHalfEmpty() throws {
  let img = try image(4, 4) { _, _ in (200, 0, 0) }
  var grid = CellGrid(width: 8, height: 4)
  let mapping = ImageRenderer.render(
    img, into: &grid, rect: Rect(x: 1, y: 1, width: 6, height: 2), mode: .truecolor)
  #expect(mapping?.rect == Rect(x: 2, y: 1, width: 4, height: 2))
  #expect(grid.lines == ["        ", "  ▀▀▀▀  ", "  ▀▀▀▀  ", "        "])

  let odd = try image(2, 3) { x, y in (UInt8(10 * x), UInt8(10 * y), 0) }
  var small = CellGrid(width: 2, height: 2)
  let m = ImageRenderer.render(
    odd, into: &small, rect: Rect(x: 0, y: 0, width: 2, height: 2), mode: .palette16)
  #expect(m?.pixelHeight == 3 && m?.rect.height == 2)
  #expect(small[1, 1].foreground == .rgb(10, 20, 0))
  #expect(small[1, 1].background == .terminalDefault)
}

@Test func asciiShadesWithoutColour() throws {
  let img = try image(3, 2) { x, _ in x == 0 ? (0, 0, 0) : (x == 1 ? (128, 128, 128) : (255, 255, 255)) }
  var grid = CellGrid(width: 3, height: 1)
  ImageRenderer.render(img, into: &grid, rect: Rect(x: 0, y: 0, width: 3, height: 1), mode: .none)
  #expect(grid.lines == [" +@"])
  #expect(grid[1, 0].foreground == .terminalDefault)
  // ASCII glyphs with colour: shades coloured by the mean of the two pixels.
  ImageRenderer.render(
    img, into: &grid, rect: Rect(x: 0, y: 0, width: 3, height: 1), mode: .palette16, glyphs: .ascii)
  #expect(grid.lines == [" +@"])
  #expect(grid[1, 0].foreground == .rgb(128, 128, 128))
}

@Test func aspectFit() throws {
  let wide = try #require(
    ImageRenderer.fit(imageWidth: 100, imageHeight: 50, in: Rect(x: 0, y: 0, width: 40, height: 10)))
  #expect(
    wide.pixelWidth == 40 && wide.pixelHeight == 20 && wide.rect == Rect(x: 0, y: 0, width: 40, height: 10))
  let tall = try #require(
    ImageRenderer.fit(imageWidth: 50, imageHeight: 100, in: Rect(x: 0, y: 0, width: 40, height: 10)))
  #expect(
    tall.pixelWidth == 10 && tall.pixelHeight == 20 && tall.rect == Rect(x: 15, y: 0, width: 10, height: 10))
  let strip = try #require(
    ImageRenderer.fit(imageWidth: 1000, imageHeight: 10, in: Rect(x: 0, y: 0, width: 40, height: 10)))
  #expect(
    strip.pixelWidth == 40 && strip.pixelHeight == 1 && strip.rect == Rect(x: 0, y: 4, width: 40, height: 1))
  #expect(
    ImageRenderer.fit(imageWidth: 0, imageHeight: 10, in: Rect(x: 0, y: 0, width: 40, height: 10)) == nil)
  #expect(
    ImageRenderer.fit(imageWidth: 10, imageHeight: 10, in: Rect(x: 0, y: 0, width: 0, height: 10)) == nil)
  // Image pixel → cell.
  #expect(wide.cell(ofImagePoint: Vec2(50, 25)).map { [$0.x, $0.y] } == [20, 5])
  #expect(wide.cell(ofImagePoint: Vec2(99.9, 49.9)).map { [$0.x, $0.y] } == [39, 9])
  #expect(wide.cell(ofImagePoint: Vec2(-1, 0)) == nil)
  #expect(wide.cell(ofImagePoint: Vec2(.nan, 0)) == nil)
  #expect(tall.halfCellPosition(ofImagePoint: Vec2(25, 50)) == Vec2(20, 10))
}

private func twoJointPose(visibility: [Double]? = nil) throws -> Pose2D {
  let skeleton = try Skeleton(
    name: "pair", jointNames: ["left_a", "left_b"], jointSides: [.left, .left], parents: nil,
    connections: [Connection(0, 1, side: .left)], bones: [], bonePairs: [])
  return Pose2D(skeleton: skeleton, points: [Vec2(0.5, 0.5), Vec2(7.5, 0.5)], visibility: visibility)
}

@Test func overlayInHalfCells() throws {
  let black = try image(8, 4) { _, _ in (0, 0, 0) }
  let style = SkeletonStyle.standard
  let marker = style.leftColor.blended(with: .rgb(255, 255, 255), amount: 0.35)
  var grid = CellGrid(width: 8, height: 2)
  let mapping = try #require(
    ImageRenderer.render(black, into: &grid, rect: Rect(x: 0, y: 0, width: 8, height: 2), mode: .truecolor))
  ImageRenderer.overlay2D(try twoJointPose(), mapping: mapping, mode: .truecolor, into: &grid)
  // The bone recolours the top halves of row 0; the joints are 2 × 2 half-cell squares.
  #expect(grid[3, 0] == Cell("▀", foreground: style.leftColor, background: .rgb(0, 0, 0)))
  #expect(grid[3, 1] == Cell("▀", foreground: .rgb(0, 0, 0), background: .rgb(0, 0, 0)))
  #expect(grid[0, 0] == Cell("▀", foreground: marker, background: marker))
  #expect(grid[1, 0] == Cell("▀", foreground: marker, background: marker))
  #expect(grid[7, 0] == Cell("▀", foreground: marker, background: marker))

  // Low visibility: dotted and blended into the image.
  var dim = CellGrid(width: 8, height: 2)
  ImageRenderer.render(black, into: &dim, rect: Rect(x: 0, y: 0, width: 8, height: 2), mode: .truecolor)
  ImageRenderer.overlay2D(
    try twoJointPose(visibility: [1, 0.1]), mapping: mapping, mode: .truecolor, into: &dim)
  #expect(dim[4, 0].foreground == Color.rgb(0, 0, 0).blended(with: style.leftColor, amount: style.dimFactor))
  #expect(dim[3, 0].foreground == .rgb(0, 0, 0))
}

@Test func overlayInAscii() throws {
  let black = try image(8, 4) { _, _ in (0, 0, 0) }
  var grid = CellGrid(width: 8, height: 2)
  let mapping = try #require(
    ImageRenderer.render(black, into: &grid, rect: Rect(x: 0, y: 0, width: 8, height: 2), mode: .none))
  ImageRenderer.overlay2D(try twoJointPose(visibility: [1, 0.2]), mapping: mapping, mode: .none, into: &grid)
  #expect(grid.lines == ["o......o", "        "])
  #expect(grid[0, 0].attributes == [.bold] && grid[7, 0].attributes == [.dim])
  var visible = CellGrid(width: 8, height: 2)
  ImageRenderer.render(black, into: &visible, rect: Rect(x: 0, y: 0, width: 8, height: 2), mode: .none)
  ImageRenderer.overlay2D(try twoJointPose(), mapping: mapping, mode: .none, into: &visible)
  #expect(visible.lines == ["o------o", "        "])
  // Points far outside or NaN are clipped away without touching other cells.
  var pose = try twoJointPose()
  pose.points = [Vec2(-1e9, .nan), Vec2(1e12, -1e12)]
  var clipped = CellGrid(width: 8, height: 2)
  ImageRenderer.overlay2D(pose, mapping: mapping, mode: .truecolor, into: &clipped)
  #expect(clipped == CellGrid(width: 8, height: 2))
}
