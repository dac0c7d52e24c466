// TerminalUITests: pane layout at several terminal sizes and the too-small screen.

import PoseScope
import Testing

@testable import TerminalUI

private func r(_ x: Int, _ y: Int, _ w: Int, _ h: Int) -> Rect { Rect(x: x, y: y, width: w, height: h) }

@Test func layoutAt80x24() throws {
  let layout = try #require(Layout(width: 80, height: 24))
  #expect(layout.browser == r(0, 0, 20, 23))
  #expect(layout.image == r(20, 0, 30, 14))
  #expect(layout.skeleton == r(50, 0, 30, 14))
  #expect(layout.boneTable == r(20, 14, 60, 9))
  #expect(layout.statusBar == r(0, 23, 80, 1))
}

@Test func layoutAt120x40() throws {
  let layout = try #require(Layout(width: 120, height: 40))
  #expect(layout.browser == r(0, 0, 26, 39))
  #expect(layout.image == r(26, 0, 47, 24))
  #expect(layout.skeleton == r(73, 0, 47, 24))
  #expect(layout.boneTable == r(26, 24, 94, 15))
  #expect(layout.statusBar == r(0, 39, 120, 1))
}

@Test func layoutAt200x60() throws {
  let layout = try #require(Layout(width: 200, height: 60))
  #expect(layout.browser == r(0, 0, 36, 59))
  #expect(layout.image == r(36, 0, 82, 39))
  #expect(layout.skeleton == r(118, 0, 82, 39))
  #expect(layout.boneTable == r(36, 39, 164, 20))
  #expect(layout.statusBar == r(0, 59, 200, 1))
  #expect(layout.pane(atX: 0, y: 0) == .browser)
  #expect(layout.pane(atX: 150, y: 45) == .boneTable)
  #expect(layout.pane(atX: 199, y: 59) == .status)
}

@Test(arguments: [(80, 24), (81, 25), (100, 30), (120, 40), (137, 51), (200, 60), (320, 90)])
func panesTileTheScreen(width: Int, height: Int) throws {
  let layout = try #require(Layout(width: width, height: height))
  var covered = [Int](repeating: 0, count: width * height)
  for pane in Pane.allCases {
    let rect = layout.rect(for: pane)
    #expect(rect.width >= 3 && rect.height >= 1)
    #expect(rect.x >= 0 && rect.y >= 0 && rect.maxX <= width && rect.maxY <= height)
    for y in rect.y..<rect.maxY {
      for x in rect.x..<rect.maxX { covered[y * width + x] += 1 }
    }
  }
  #expect(covered.allSatisfy { $0 == 1 })
  // Every boxed pane leaves room for content.
  for pane in [Pane.browser, .image, .skeleton, .boneTable] {
    let inner = layout.rect(for: pane).inset(by: 1)
    #expect(inner.width >= 18 && inner.height >= 6)
  }
}

@Test(arguments: [(79, 24), (80, 23), (0, 0), (10, 3), (-5, 100), (1000, 2)])
func belowMinimumIsTooSmall(width: Int, height: Int) {
  #expect(Layout(width: width, height: height) == nil)
  let grid = FrameRenderer.render(
    FrameContent(), width: width, height: height, options: RenderOptions(colorMode: .none))
  #expect(grid.width == max(0, width) && grid.height == max(0, height))
  if width >= 30 && height >= 3 {
    let text = grid.lines.joined(separator: "\n")
    #expect(text.contains("Terminal too small"))
    #expect(text.contains("\(width)x\(height), need at least 80x24"))
  }
}

@Test func tooSmallScreenIsCentred() {
  let grid = TooSmallScreen.render(width: 40, height: 5)
  #expect(
    grid.lines == [
      String(repeating: " ", count: 40),
      "           Terminal too small           ",
      "       40x5, need at least 80x24        ",
      "      Enlarge the window (q quits)      ",
      String(repeating: " ", count: 40),
    ])
  #expect(grid[11, 1].attributes == [.bold])
  let tiny = TooSmallScreen.render(width: 6, height: 1)
  #expect(tiny.lines == ["Termi…"])
}
