// TerminalUITests: the browser list pane (scrolling, selection, details, footer and filter rows).

import PoseScope
import Testing

@testable import TerminalUI

@Test func listScrollsToKeepTheSelectionVisible() {
  var items = (0..<10).map { ListItem(label: "img\($0).jpg") }
  let pane = ListPane(items: items, selection: 6, scrollOffset: 0, filter: "im", footer: "frame 3/230")
  #expect(pane.itemRows(height: 6) == 4)
  var grid = CellGrid(width: 22, height: 8)
  pane.render(into: &grid, rect: Rect(x: 1, y: 1, width: 20, height: 6))
  #expect(
    grid.lines == [
      String(repeating: " ", count: 22),
      "   img3.jpg         ↑ ",
      "   img4.jpg           ",
      "   img5.jpg           ",
      " > img6.jpg         ↓ ",
      " frame 3/230          ",
      " /im                  ",
      String(repeating: " ", count: 22),
    ])
  #expect(grid[1, 4].attributes == [.reverse] && grid[15, 4].attributes == [.reverse])
  #expect(grid[1, 3].attributes == [])
  // Unfocused: the selection is bold instead of reversed.
  var unfocused = CellGrid(width: 22, height: 8)
  pane.render(into: &unfocused, rect: Rect(x: 1, y: 1, width: 20, height: 6), glyphs: .ascii, focused: false)
  #expect(unfocused[1, 4].attributes == [.bold])
  #expect(unfocused.line(1) == "   img3.jpg         ^ ")

  items.append(ListItem(label: "sports2d_with_a_long_name", detail: "230 fr", isFolder: true))
  let folder = ListPane(items: items, selection: 10)
  var g = CellGrid(width: 20, height: 3)
  folder.render(into: &g, rect: Rect(x: 0, y: 0, width: 20, height: 3))
  #expect(g.lines == ["  img8.jpg         ↑", "  img9.jpg          ", "> sports2d_w… 230 fr"])
}

@Test func listHelpers() {
  #expect(ListPane.scrollOffset(keeping: 0, current: 5, visibleRows: 4, count: 10) == 0)
  #expect(ListPane.scrollOffset(keeping: 9, current: 0, visibleRows: 4, count: 10) == 6)
  #expect(ListPane.scrollOffset(keeping: 5, current: 3, visibleRows: 4, count: 10) == 3)
  #expect(ListPane.scrollOffset(keeping: nil, current: 50, visibleRows: 4, count: 10) == 6)
  #expect(ListPane.scrollOffset(keeping: 3, current: 0, visibleRows: 0, count: 10) == 0)
  #expect(ListPane.scrollOffset(keeping: 3, current: 2, visibleRows: 4, count: 0) == 0)
  let items = ["Bus.jpg", "zidane.jpg", "seq"].map { ListItem(label: $0) }
  #expect(ListPane.matching(items, filter: "JP") == [0, 1])
  #expect(ListPane.matching(items, filter: "") == [0, 1, 2])
  #expect(ListPane.matching(items, filter: "x").isEmpty)
  var grid = CellGrid(width: 12, height: 2)
  ListPane().render(into: &grid, rect: Rect(x: 0, y: 0, width: 12, height: 2))
  #expect(grid.lines == ["  (empty)   ", "            "])
}
