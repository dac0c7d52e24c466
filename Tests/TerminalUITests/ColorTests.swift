// TerminalUITests: colour quantisation (truecolor → 256 → 16 → none), env detection and ANSI output.

import PoseScope
import Testing

@testable import TerminalUI

@Test(arguments: [
  ((255, 0, 0), 196), ((0, 255, 0), 46), ((0, 0, 255), 21), ((128, 128, 128), 244), ((255, 255, 255), 231),
  ((0, 0, 0), 16), ((95, 135, 175), 67), ((10, 10, 10), 232), ((250, 250, 250), 231), ((100, 100, 100), 241),
])
func nearest256(rgb: (Int, Int, Int), index: Int) {
  #expect(XTermPalette.nearest256(UInt8(rgb.0), UInt8(rgb.1), UInt8(rgb.2)) == UInt8(index))
}

@Test(arguments: [
  ((255, 0, 0), 9), ((205, 0, 0), 1), ((128, 128, 128), 8), ((0, 0, 0), 0), ((255, 255, 255), 15),
  ((0, 0, 200), 4), ((200, 200, 200), 7), ((0, 170, 255), 6), ((255, 120, 0), 3),
])
func nearest16(rgb: (Int, Int, Int), index: Int) {
  #expect(XTermPalette.nearest16(UInt8(rgb.0), UInt8(rgb.1), UInt8(rgb.2)) == UInt8(index))
}

@Test func paletteValues() {
  #expect(XTermPalette.rgb(ofIndex: 196) == (255, 0, 0))
  #expect(XTermPalette.rgb(ofIndex: 244) == (128, 128, 128))
  #expect(XTermPalette.rgb(ofIndex: 67) == (95, 135, 175))
  #expect(XTermPalette.rgb(ofIndex: 12) == (92, 92, 255))
  // Every cube and grey entry quantises back to itself.
  for n in 16...255 {
    let c = XTermPalette.rgb(ofIndex: UInt8(n))
    let back = XTermPalette.nearest256(c.r, c.g, c.b)
    #expect(XTermPalette.rgb(ofIndex: back) == c, "index \(n)")
  }
}

@Test func quantisationChain() {
  let red = Color.rgb(255, 0, 0)
  #expect(red.quantized(to: .truecolor) == red)
  #expect(red.quantized(to: .palette256) == .indexed(196))
  #expect(red.quantized(to: .palette16) == .indexed(9))
  #expect(red.quantized(to: .none) == .terminalDefault)
  #expect(Color.indexed(196).quantized(to: .palette16) == .indexed(9))
  #expect(Color.indexed(3).quantized(to: .palette16) == .indexed(3))
  #expect(Color.indexed(244).quantized(to: .palette256) == .indexed(244))
  #expect(Color.terminalDefault.quantized(to: .palette16) == .terminalDefault)
  let grey = Color.rgb(128, 128, 128)
  #expect(grey.quantized(to: .palette256) == .indexed(244))
  #expect(grey.quantized(to: .palette16) == .indexed(8))
}

@Test func colourArithmetic() {
  #expect(Color.rgb(200, 100, 0).scaled(by: 0.5) == .rgb(100, 50, 0))
  #expect(Color.rgb(200, 100, 0).scaled(by: 2) == .rgb(255, 200, 0))
  #expect(Color.rgb(200, 100, 0).scaled(by: .nan) == .rgb(200, 100, 0))
  #expect(Color.terminalDefault.scaled(by: 0.5) == .terminalDefault)
  #expect(Color.rgb(0, 0, 0).blended(with: .rgb(255, 255, 255), amount: 0.5) == .rgb(128, 128, 128))
  #expect(Color.errorRamp(0) == .rgb(0, 230, 0))
  #expect(Color.errorRamp(0.5) == .rgb(230, 230, 0))
  #expect(Color.errorRamp(1) == .rgb(230, 0, 0))
  #expect(Color.errorRamp(7) == .rgb(230, 0, 0))
  #expect(Color.errorRamp(.nan) == .rgb(0, 230, 0))
}

@Test(arguments: [
  ([:], ColorMode.palette16),
  (["TERM": "xterm"], .palette16),
  (["TERM": "xterm-256color"], .palette256),
  (["TERM": "screen-256color"], .palette256),
  (["TERM": "xterm-256color", "COLORTERM": "truecolor"], .truecolor),
  (["TERM": "xterm", "COLORTERM": "24bit"], .truecolor),
  (["TERM": "xterm-direct"], .truecolor),
  (["TERM": "xterm-256color", "COLORTERM": "truecolor", "NO_COLOR": "1"], ColorMode.none),
  (["TERM": "xterm-256color", "NO_COLOR": ""], .palette256),
  (["TERM": "dumb", "COLORTERM": "truecolor"], ColorMode.none),
])
func detection(env: [String: String], mode: ColorMode) {
  #expect(ColorMode.detect(environment: env) == mode)
}

@Test func colorArguments() {
  #expect(ColorMode(argument: "truecolor") == .truecolor)
  #expect(ColorMode(argument: "24bit") == .truecolor)
  #expect(ColorMode(argument: "256") == .palette256)
  #expect(ColorMode(argument: "16") == .palette16)
  #expect(ColorMode(argument: "NONE") == ColorMode.none)
  #expect(ColorMode(argument: "rainbow") == nil)
}

@Test func sgrSequences() {
  let esc = "\u{1B}["
  #expect(
    ANSIWriter.sgr(
      foreground: .rgb(255, 0, 0), background: .terminalDefault, attributes: [.bold], mode: .truecolor)
      == esc + "0;1;38;2;255;0;0m")
  #expect(
    ANSIWriter.sgr(foreground: .rgb(255, 0, 0), background: .rgb(0, 0, 0), attributes: [], mode: .palette256)
      == esc + "0;38;5;196;48;5;16m")
  #expect(
    ANSIWriter.sgr(
      foreground: .rgb(255, 0, 0), background: .rgb(0, 0, 200), attributes: [.reverse], mode: .palette16)
      == esc + "0;7;91;44m")
  #expect(
    ANSIWriter.sgr(
      foreground: .indexed(7), background: .indexed(0), attributes: [.dim, .underline],
      mode: .palette16) == esc + "0;2;4;37;40m")
  #expect(
    ANSIWriter.sgr(foreground: .rgb(1, 2, 3), background: .rgb(4, 5, 6), attributes: [.bold], mode: .none)
      == "")
}

@Test func ansiStringOfAGrid() {
  var grid = CellGrid(width: 4, height: 2)
  grid.set(x: 0, y: 0, Cell("a", foreground: .rgb(255, 0, 0)))
  grid.set(x: 1, y: 0, Cell("b", foreground: .rgb(255, 0, 0)))
  grid.set(x: 2, y: 0, Cell("▀", foreground: .rgb(0, 255, 0), background: .rgb(0, 0, 255)))
  grid.set(x: 0, y: 1, Cell("z"))
  let esc = "\u{1B}["
  #expect(
    ansiString(grid, mode: .truecolor)
      == esc + "0;38;2;255;0;0mab" + esc + "0;38;2;0;255;0;48;2;0;0;255m▀" + esc + "0m " + "\n" + "z   \n")
  #expect(
    ansiString(grid, mode: .palette256)
      == esc + "0;38;5;196mab" + esc + "0;38;5;46;48;5;21m▀" + esc + "0m \n" + "z   \n")
  #expect(ansiString(grid, mode: .none) == "ab▀ \nz   \n")
  #expect(ansiString(grid, mode: .none, trimTrailingSpaces: true) == "ab▀\nz\n")
}

@Test func ncursesColourModeIsLimitedByTheTerminal() {
  #expect(NCursesScreen.effectiveMode(requested: .truecolor, colors: 1 << 24) == .truecolor)
  #expect(NCursesScreen.effectiveMode(requested: .truecolor, colors: 256) == .palette256)
  #expect(NCursesScreen.effectiveMode(requested: .palette256, colors: 8) == .palette16)
  #expect(NCursesScreen.effectiveMode(requested: .palette16, colors: 256) == .palette16)
  #expect(NCursesScreen.effectiveMode(requested: .none, colors: 256) == ColorMode.none)
  #expect(NCursesScreen.effectiveMode(requested: .palette256, colors: 0) == ColorMode.none)
}
