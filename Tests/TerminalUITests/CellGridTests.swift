// TerminalUITests: cell grid clipping, text (control, combining and wide characters) and boxes.

import PoseScope
import Testing

@testable import TerminalUI

@Test func writesOutsideTheGridOrClipAreIgnored() {
  var grid = CellGrid(width: 4, height: 2)
  grid.set(x: -1, y: 0, Cell("a"))
  grid.set(x: 4, y: 0, Cell("a"))
  grid.set(x: 0, y: 2, Cell("a"))
  #expect(grid == CellGrid(width: 4, height: 2))
  #expect(grid[100, -3] == .blank)
  grid.withClip(Rect(x: 1, y: 0, width: 2, height: 1)) { g in
    g.drawText("wxyz", x: 0, y: 0)
    g.fill(Rect(x: 0, y: 0, width: 4, height: 2), with: Cell("#"))
  }
  #expect(grid.lines == [" ## ", "    "])
  #expect(grid.clip == grid.bounds)
  grid.clip = Rect(x: -5, y: -5, width: 100, height: 100)
  #expect(grid.clip == grid.bounds)
  #expect(CellGrid(width: 1 << 20, height: 1 << 20).cells.isEmpty)
  #expect(CellGrid(width: -2, height: 5).width == 0)
}

@Test func textDrawing() {
  var grid = CellGrid(width: 8, height: 1)
  #expect(grid.drawText("a\tb\u{7}", x: 0, y: 0) == 4)
  #expect(grid.line(0) == "a?b?    ")
  grid.clear()
  #expect(grid.drawText("e\u{301}x", x: 0, y: 0) == 2)  // combining mark dropped
  #expect(grid.line(0) == "ex      ")
  grid.clear()
  #expect(
    grid.drawText("abcdefghij", x: 3, y: 0, maxWidth: 3, foreground: .indexed(1), attributes: [.bold]) == 3)
  #expect(grid.line(0) == "   abc  ")
  #expect(grid[3, 0] == Cell("a", foreground: .indexed(1), attributes: [.bold]))
  #expect(grid.drawText("zz", x: 7, y: 0) == 1)
  #expect(grid.drawText("zz", x: 0, y: 5) == 0)
  #expect(TextWidth.truncated("hello world", toColumns: 7) == "hello…")
  #expect(TextWidth.truncated("hello", toColumns: 5) == "hello")
  #expect(TextWidth.truncated("hello", toColumns: 0) == "")
  #expect(TextWidth.columns(of: "日本x") == 5)
}

@Test func wideCharactersTakeTwoCells() {
  var grid = CellGrid(width: 5, height: 1)
  #expect(grid.drawText("日本", x: 0, y: 0) == 4)
  #expect(grid.line(0) == "日本 ")
  #expect(grid[1, 0].isContinuation)
  #expect(ansiString(grid, mode: .none) == "日本 \n")
  // Overwriting half of a wide character blanks the other half.
  grid.set(x: 1, y: 0, Cell("x"))
  #expect(grid.line(0) == " x本 ")
  grid.set(x: 2, y: 0, Cell("y"))
  #expect(grid.line(0) == " xy  ")
  // A wide character that does not fit ends the text.
  var narrow = CellGrid(width: 5, height: 1)
  #expect(narrow.drawText("a日", x: 0, y: 0, maxWidth: 2) == 1)
  #expect(narrow.line(0) == "a    ")
}

@Test func boxesWithTitles() {
  var grid = CellGrid(width: 10, height: 3)
  grid.drawBox(Rect(x: 0, y: 0, width: 10, height: 3), title: "ab")
  #expect(grid.lines == ["┌ ab ────┐", "│        │", "└────────┘"])
  #expect(grid[2, 0].attributes == [.bold] && grid[5, 0].attributes == [])
  grid.drawBox(Rect(x: 0, y: 0, width: 10, height: 3), style: .heavy, title: "abcdefgh")
  #expect(grid.lines == ["┏ abcd… ━┓", "┃        ┃", "┗━━━━━━━━┛"])
  var ascii = CellGrid(width: 6, height: 2)
  ascii.drawBox(Rect(x: 0, y: 0, width: 6, height: 2), style: .ascii, title: "x")
  #expect(ascii.lines == ["+ x -+", "+----+"])
  // Degenerate rectangles draw nothing; boxes larger than the grid are clipped.
  var small = CellGrid(width: 3, height: 3)
  small.drawBox(Rect(x: 0, y: 0, width: 1, height: 5))
  #expect(small == CellGrid(width: 3, height: 3))
  small.drawBox(Rect(x: 1, y: 1, width: 10, height: 10))
  #expect(small.lines == ["   ", " ┌─", " │ "])
}

@Test func numberFormatting() {
  #expect(NumberFormat.fixed(-1.25, decimals: 1) == "-1.3")
  #expect(NumberFormat.fixed(1.25, decimals: 1) == "1.3")
  #expect(NumberFormat.fixed(0.04, decimals: 1, signed: true) == "0.0")
  #expect(NumberFormat.fixed(-0.04, decimals: 1) == "0.0")
  #expect(NumberFormat.fixed(12, decimals: 0, signed: true) == "+12")
  #expect(NumberFormat.fixed(3.14159, decimals: 3) == "3.142")
  #expect(NumberFormat.fixed(0.5, decimals: 2) == "0.50")
  #expect(NumberFormat.fixed(.nan, decimals: 1) == "-")
  #expect(NumberFormat.fixed(-1e20, decimals: 1) == "-inf")
  #expect(NumberFormat.fixed(.infinity, decimals: 1, signed: true) == "+inf")
  #expect(NumberFormat.fixed(1e14, decimals: 6) == "100000000000000.00")
  #expect(NumberFormat.fixed(7, decimals: 99) == "7.000000")
  #expect(NumberFormat.padLeft("ab", 4) == "  ab")
  #expect(NumberFormat.padLeft("abcdef", 4) == "abcdef")
  #expect(NumberFormat.padRight("ab", 4) == "ab  ")
  #expect(NumberFormat.padRight("abcdef", 4) == "abc…")
}

@Test func extremeGeometryIsHarmless() throws {
  var grid = CellGrid(width: 6, height: 3)
  let clamped = Rect(x: Int.min, y: Int.max, width: Int.max, height: -1)
  #expect(clamped == Rect(x: -(1 << 40), y: 1 << 40, width: 1 << 40, height: 0))
  let huge = Rect(x: -1_000_000, y: -1_000_000, width: Int.max, height: Int.max)
  grid.drawBox(huge, title: "t")
  grid.fill(huge, with: Cell("#"))
  #expect(grid.lines == ["######", "######", "######"])
  grid.clear()
  #expect(grid.drawText("abc", x: Int.max, y: 0) == 0)
  #expect(grid.drawText("abc", x: Int.min, y: 0) == 0)
  #expect(grid.drawText("abc", x: -2, y: 0) == 3)
  #expect(grid.line(0) == "c     ")
  grid.drawBox(Rect(x: -3, y: -3, width: 1 << 40, height: 1 << 40))
  #expect(grid.lines == ["c     ", "      ", "      "])
  #expect(Sparkline.render([1e300, -1e300, 5], width: 3, range: 0...10) == "█▁▅")
  let img = try #require(Image(width: 2, height: 2, color: RGB(9, 9, 9)))
  var imageGrid = CellGrid(width: 4, height: 2)
  let mapping = ImageRenderer.render(img, into: &imageGrid, rect: huge, mode: .truecolor)
  #expect(mapping?.rect == Rect(x: 0, y: 0, width: 4, height: 2))
  let table = BoneTable(rows: [BoneTableRow(name: "x", length: 1, reference: 2)])
  #expect(table.lines(width: Int.max, height: Int.max).count == 10_000)
}
