// TerminalUITests: line rasterisation, braille packing, the ASCII canvas and per-cell depth ordering.

import PoseScope
import Testing

@testable import TerminalUI

private func bresenhamPoints(_ x0: Int, _ y0: Int, _ x1: Int, _ y1: Int) -> [(Int, Int, Double)] {
  var out: [(Int, Int, Double)] = []
  LineRaster.bresenham(x0, y0, x1, y1) { x, y, _, t in out.append((x, y, t)) }
  return out
}

@Test func bresenhamExactShallowLine() {
  let points = bresenhamPoints(0, 0, 5, 2)
  #expect(points.map { [$0.0, $0.1] } == [[0, 0], [1, 0], [2, 1], [3, 1], [4, 2], [5, 2]])
  #expect(points.map(\.2) == [0, 0.2, 0.4, 0.6, 0.8, 1])
}

@Test(arguments: [
  (5, 2), (2, 5), (-2, 5), (-5, 2), (-5, -2), (-2, -5), (2, -5), (5, -2), (7, 7), (-7, 0), (0, -6),
])
func bresenhamAllOctants(dx: Int, dy: Int) {
  let x0 = 3
  let y0 = -4
  let points = bresenhamPoints(x0, y0, x0 + dx, y0 + dy)
  let n = max(abs(dx), abs(dy))
  #expect(points.count == n + 1)
  #expect(points.first.map { [$0.0, $0.1] } == [x0, y0])
  #expect(points.last.map { [$0.0, $0.1] } == [x0 + dx, y0 + dy])
  for (i, p) in points.enumerated() {
    // Along the major axis every step advances by exactly one; the minor coordinate stays within half a
    // dot of the ideal line.
    let u = Double(i) / Double(n)
    let ideal = (Double(x0) + u * Double(dx), Double(y0) + u * Double(dy))
    #expect(abs(Double(p.0) - ideal.0) <= 0.5 + 1e-9)
    #expect(abs(Double(p.1) - ideal.1) <= 0.5 + 1e-9)
    #expect(abs(p.2 - u) < 1e-12)
    if i > 0 {
      #expect(abs(p.0 - points[i - 1].0) <= 1 && abs(p.1 - points[i - 1].1) <= 1)
    }
  }
}

@Test func bresenhamSinglePointAndRefusedHugeCoordinates() {
  let points = bresenhamPoints(3, 3, 3, 3)
  #expect(points.count == 1)
  #expect(points[0].0 == 3 && points[0].1 == 3 && points[0].2 == 0)
  #expect(bresenhamPoints(0, 0, Int.max, 0).isEmpty)
  #expect(bresenhamPoints(Int.min, 0, 0, 0).isEmpty)
}

@Test func rasterizeClipsToTheGrid() {
  var dots: [(Int, Int, Double)] = []
  LineRaster.rasterize(from: Vec2(-10.5, 5.5), to: Vec2(29.5, 5.5), width: 20, height: 10) { x, y, _, t in
    dots.append((x, y, t))
  }
  #expect(dots.map(\.0) == Array(0..<20))
  #expect(dots.allSatisfy { $0.1 == 5 })
  #expect(abs(dots[0].2 - 10.5 / 40) < 1e-12)
  #expect(abs(dots[19].2 - 30.5 / 40) < 1e-12)

  // Entirely outside, non-finite: nothing. Huge diagonal: bounded by the grid.
  var count = 0
  LineRaster.rasterize(from: Vec2(-5, -5), to: Vec2(-1, 30), width: 20, height: 10) { _, _, _, _ in count += 1
  }
  LineRaster.rasterize(from: Vec2(.nan, 0), to: Vec2(5, 5), width: 20, height: 10) { _, _, _, _ in count += 1
  }
  LineRaster.rasterize(from: Vec2(1, 1), to: Vec2(5, .infinity), width: 20, height: 10) { _, _, _, _ in
    count += 1
  }
  #expect(count == 0)
  var inside = true
  LineRaster.rasterize(from: Vec2(-1e12, -1e12), to: Vec2(1e12, 1e12), width: 20, height: 10) { x, y, _, _ in
    count += 1
    inside = inside && x >= 0 && x < 20 && y >= 0 && y < 10
  }
  #expect(count > 0 && count <= 30 && inside)

  let clip = LineRaster.clip(from: Vec2(-1, 0), to: Vec2(3, 0), minX: 0, minY: -1, maxX: 2, maxY: 1)
  #expect(clip?.t0 == 0.25 && clip?.t1 == 0.75)
}

@Test func brailleEachDotHasItsBit() {
  // Dots 1-8 of the braille cell: left column top→bottom 0x01 0x02 0x04 0x40, right 0x08 0x10 0x20 0x80.
  let expected: [[UInt8]] = [[0x01, 0x08], [0x02, 0x10], [0x04, 0x20], [0x40, 0x80]]
  for dy in 0..<4 {
    for dx in 0..<2 {
      var canvas = BrailleCanvas(width: 1, height: 1)
      canvas.plot(x: dx, y: dy, depth: 0, color: .rgb(1, 2, 3), attributes: [])
      #expect(canvas.cellBits(x: 0, y: 0) == expected[dy][dx])
      var grid = CellGrid(width: 1, height: 1)
      canvas.render(into: &grid, x: 0, y: 0)
      #expect(grid[0, 0].scalar.value == 0x2800 + UInt32(expected[dy][dx]))
      #expect(grid[0, 0].foreground == .rgb(1, 2, 3))
    }
  }
}

@Test func brailleFullCellAndCellAddressing() {
  var canvas = BrailleCanvas(width: 3, height: 2)
  #expect(canvas.dotWidth == 6 && canvas.dotHeight == 8)
  for y in 4..<8 {
    for x in 2..<4 { canvas.plot(x: x, y: y, depth: 0, color: .indexed(2), attributes: []) }
  }
  canvas.plot(x: -1, y: 0, depth: 0, color: .indexed(2), attributes: [])
  canvas.plot(x: 6, y: 0, depth: 0, color: .indexed(2), attributes: [])
  canvas.plot(x: 0, y: 8, depth: 0, color: .indexed(2), attributes: [])
  var grid = CellGrid(width: 3, height: 2)
  canvas.render(into: &grid, x: 0, y: 0)
  #expect(grid[1, 1].scalar == "\u{28FF}")
  #expect(grid.lines == ["   ", " \u{28FF} "])
  canvas.clear()
  #expect(canvas.cellBits(x: 1, y: 1) == 0)
}

@Test func nearerBoneWinsTheSharedCell() {
  let near = Color.rgb(255, 0, 0)
  let far = Color.rgb(0, 0, 255)
  for nearFirst in [true, false] {
    var braille = BrailleCanvas(width: 5, height: 5)
    var ascii = AsciiCanvas(width: 10, height: 10)
    // Horizontal (near, depth 1) and vertical (far, depth 2) lines crossing in the middle.
    func horizontal<C: DotCanvas>(_ c: inout C) {
      let h = Double(c.dotHeight) / 2 + 0.5
      c.drawLine(
        from: Vec2(0.5, h), to: Vec2(Double(c.dotWidth) - 0.5, h), depthA: 1, depthB: 1, color: near,
        attributes: [], pattern: .solid)
    }
    func vertical<C: DotCanvas>(_ c: inout C) {
      let w = Double(c.dotWidth) / 2 + 0.5
      c.drawLine(
        from: Vec2(w, 0.5), to: Vec2(w, Double(c.dotHeight) - 0.5), depthA: 2, depthB: 2, color: far,
        attributes: [], pattern: .solid)
    }
    if nearFirst {
      horizontal(&braille)
      vertical(&braille)
      horizontal(&ascii)
      vertical(&ascii)
    } else {
      vertical(&braille)
      horizontal(&braille)
      vertical(&ascii)
      horizontal(&ascii)
    }
    var grid = CellGrid(width: 5, height: 5)
    braille.render(into: &grid, x: 0, y: 0)
    #expect(grid[2, 2].foreground == near)
    #expect(grid[2, 0].foreground == far)
    #expect(grid[0, 2].foreground == near)
    // Both lines' dots are in the shared cell.
    #expect(braille.cellBits(x: 2, y: 2) & braille.cellBits(x: 2, y: 0) != 0)
    var asciiGrid = CellGrid(width: 10, height: 10)
    ascii.render(into: &asciiGrid, x: 0, y: 0)
    #expect(asciiGrid[5, 5].scalar == "-" && asciiGrid[5, 5].foreground == near)
    #expect(asciiGrid[5, 1].scalar == "|" && asciiGrid[5, 1].foreground == far)
  }
}

@Test func asciiLineGlyphsFollowTheOnScreenSlope() {
  #expect(AsciiCanvas.lineGlyph(dx: 5, dy: 0) == "-")
  #expect(AsciiCanvas.lineGlyph(dx: 0, dy: -3) == "|")
  // Cells are twice as tall as wide: one row per two columns is a 45° line.
  #expect(AsciiCanvas.lineGlyph(dx: 2, dy: -1) == "/")
  #expect(AsciiCanvas.lineGlyph(dx: -2, dy: -1) == "\\")
  #expect(AsciiCanvas.lineGlyph(dx: 2, dy: 1) == "\\")
  #expect(AsciiCanvas.lineGlyph(dx: 6, dy: 1) == "-")
  var canvas = AsciiCanvas(width: 6, height: 3)
  canvas.drawLine(
    from: Vec2(0.5, 1.5), to: Vec2(5.5, 1.5), depthA: 0, depthB: 0, color: .terminalDefault,
    attributes: [], pattern: .dotted)
  canvas.drawJoint(at: Vec2(0.5, 1.5), depth: 0, color: .terminalDefault, attributes: [])
  canvas.drawLabel("xy", at: Vec2(4.2, 0.1), color: .terminalDefault, attributes: [])
  var grid = CellGrid(width: 6, height: 3)
  canvas.render(into: &grid, x: 0, y: 0)
  #expect(grid.lines == ["    xy", "o . . ", "      "])
}

@Test func canvasResizeAndBadSizes() {
  var canvas = BrailleCanvas(width: -3, height: 2)
  #expect(canvas.width == 0 && canvas.dotWidth == 0)
  canvas.drawLine(
    from: Vec2(0, 0), to: Vec2(100, 100), depthA: 0, depthB: 1, color: .indexed(1), attributes: [],
    pattern: .solid)
  canvas.resize(width: 4, height: 1)
  #expect(canvas.width == 4 && canvas.dotHeight == 4)
  canvas.drawJoint(at: Vec2(.nan, 1), depth: 0, color: .indexed(1), attributes: [])
  canvas.drawJoint(at: Vec2(1e300, 1), depth: 0, color: .indexed(1), attributes: [])
  #expect((0..<4).allSatisfy { canvas.cellBits(x: $0, y: 0) == 0 })
  let huge = AsciiCanvas(width: 1 << 40, height: 1)
  #expect(huge.width == 2048)
}
