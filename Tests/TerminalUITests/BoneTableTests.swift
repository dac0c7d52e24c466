// TerminalUITests: bone-length diagnostics rows, summary, column fitting and sparklines.

import PoseScope
import Testing

@testable import TerminalUI

@Test func sparklineLevels() {
  #expect(Sparkline.render([0, 1, 2, 3, 4, 5, 6, 7], width: 8) == "▁▂▃▄▅▆▇█")
  #expect(Sparkline.render([0, 1, 2, 3, 4, 5, 6, 7], width: 8, glyphs: .ascii) == "_.-~=+*#")
  #expect(Sparkline.render([5, 5, 5], width: 10) == "▄▄▄")
  #expect(Sparkline.render([1, .nan, 3, .infinity], width: 10) == "▁ █ ")
  #expect(Sparkline.render([.nan, .nan], width: 10) == "  ")
  #expect(Sparkline.render([], width: 10) == "")
  #expect(Sparkline.render([1, 2, 3], width: 0) == "")
  #expect(Sparkline.render([5], width: 1, range: 0...10) == "▅")
  #expect(Sparkline.render([-3, 20], width: 2, range: 0...10) == "▁█")
  #expect(Sparkline.levels([10, 12, 11, 14]) == [0, 4, 2, 7])
}

@Test func sparklineResamplesLongSeriesIntoBuckets() {
  #expect(Sparkline.resample([1, 2, 3, 4, 5, 6, 7, 8], width: 4) == [1.5, 3.5, 5.5, 7.5])
  #expect(Sparkline.resample([0, 0, 0, 3, 3, 3, 6, 6, 6, 9], width: 3) == [0, 3, 6.75])
  #expect(Sparkline.resample([1, .nan, .nan, .nan], width: 2).map { $0.isNaN } == [false, true])
  #expect(Sparkline.resample([1, 2], width: 5) == [1, 2])
  // A rising series of 100 values in 8 columns is a full staircase.
  #expect(Sparkline.render((0..<100).map(Double.init), width: 8) == "▁▂▃▄▅▆▇█")
}

@Test func rowsFromPoseCoreData() throws {
  let skeleton = Skeleton.h36m17
  let reference = Anthropometry.referenceBoneLengths(height: 1.75)
  var lengths = reference
  lengths[H36M17.BoneID.rightUpperLeg.rawValue] *= 1.1
  let history = [1.0, 1.03, 0.98].map { f in lengths.map { $0 * f } }
  let table = BoneTable(
    skeleton: skeleton, lengths: lengths, reference: reference, history: history, mpjpe: 52.25, paMPJPE: 38.04
  )
  #expect(table.rows.count == 16)
  let row = table.rows[1]
  #expect(row.name == "right_upper_leg")
  #expect(abs((row.length ?? 0) - 0.245 * 1.75 * 1100) < 1e-9)
  #expect(abs((row.reference ?? 0) - 0.245 * 1.75 * 1000) < 1e-9)
  #expect(abs((row.error ?? 0) - 42.875) < 1e-9)
  #expect(abs((row.errorPercent ?? 0) - 10) < 1e-9)
  #expect(table.worstRow == 1)
  // The upper-leg pair: (left − right) / mean = −0.1 / 1.05 on both rows; other pairs 0; spine unpaired.
  #expect(abs((table.rows[1].asymmetryPercent ?? 0) + 100 * 0.1 / 1.05) < 1e-9)
  #expect(abs((table.rows[4].asymmetryPercent ?? 0) + 100 * 0.1 / 1.05) < 1e-9)
  #expect(table.rows[4].pair == "upper_leg")
  #expect(table.rows[0].asymmetryPercent == 0)
  #expect(table.rows[6].asymmetryPercent == nil && table.rows[6].pair == nil)
  #expect(abs((table.meanAbsoluteAsymmetry ?? 0) - 100 * 0.1 / 1.05 / 6) < 1e-9)
  // Population std of L·{1, 1.03, 0.98}.
  let l0 = lengths[0] * 1000
  let values = [1.0, 1.03, 0.98].map { $0 * l0 }
  let mean = values.reduce(0, +) / 3
  let std = (values.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / 3).squareRoot()
  #expect(abs((table.rows[0].standardDeviation ?? 0) - std) < 1e-9)
  #expect(table.rows[0].history.count == 3)
  #expect(Sparkline.render(table.rows[0].history, width: 8) == "▄█▁")
  #expect(
    table.summary
      == "mean err 3 mm (0.6%)  max 43 mm right_upper_leg  asym 1.6%  MPJPE 52.3 mm  PA-MPJPE 38.0 mm")
}

@Test func mismatchedInputsLeaveColumnsEmpty() {
  let table = BoneTable(skeleton: .h36m17, lengths: [1, 2, 3], reference: [1], history: [[1, 2], [.nan]])
  #expect(table.rows.count == 16)
  #expect(table.rows.allSatisfy { $0.length == nil && $0.reference == nil && $0.history.isEmpty })
  #expect(table.worstRow == nil)
  #expect(table.summary == "no reference lengths")
  let nan = BoneTable(skeleton: .h36m17, lengths: [Double](repeating: .nan, count: 16))
  #expect(nan.rows.allSatisfy { $0.length == nil && $0.asymmetryPercent == nil })
  _ = nan.lines(width: 80, height: 20)
  _ = table.lines(width: 0, height: 0)
  _ = table.lines(width: 1, height: 1)
}

private func sampleTable() -> BoneTable {
  BoneTable(rows: [
    BoneTableRow(
      name: "upper_arm_l", length: 300, reference: 290, asymmetryPercent: 3.4, pair: "upper_arm",
      standardDeviation: 1.25, history: [299, 300, 301]),
    BoneTableRow(
      name: "upper_arm_r", length: 290, reference: 290, asymmetryPercent: 3.4, pair: "upper_arm",
      standardDeviation: 0.5, history: [290, 290, 290]),
    BoneTableRow(name: "spine", length: 250, history: [250, 251, 249]),
  ])
}

@Test func tableLines() {
  let table = sampleTable()
  #expect(table.worstRow == 0)
  #expect(
    table.lines(width: 60, height: 6) == [
      "  bone          len   ref   err   err%  asym%   std history ",
      "> upper_arm_l   300   290   +10   +3.4   +3.4   1.3 ▁▅█",
      "  upper_arm_r   290   290     0    0.0   +3.4   0.5 ▄▄▄",
      "  spine         250     -     -      -      -     - ▅█▁",
      "",
      "mean err 5 mm (1.7%)  max 10 mm upper_arm_l  asym 3.4%",
    ])
  // Narrow panes drop history, std and asymmetry first.
  #expect(table.columns(width: 40).columns == [.length, .reference, .error, .errorPercent])
  #expect(table.lines(width: 40, height: 3)[1] == "> upper_arm_l   300   290   +10   +3.4")
  #expect(table.columns(width: 10) == (name: 8, columns: []))
  #expect(table.lines(width: 10, height: 2) == ["  bone    ", "mean err…"])
}

@Test func tableScrollsAndHighlightsTheWorstRow() {
  let reference = Anthropometry.referenceBoneLengths(height: 1.8)
  var lengths = reference
  lengths[15] *= 0.8  // right_forearm
  let table = BoneTable(skeleton: .h36m17, lengths: lengths, reference: reference)
  #expect(table.clampedScroll(100, height: 5) == 13)
  #expect(table.clampedScroll(-4, height: 5) == 0)
  let lines = table.lines(width: 70, height: 5, scrollOffset: 100)
  #expect(lines.count == 5)
  #expect(lines[1].hasPrefix("  right_clavicle"))
  #expect(lines[3].hasPrefix("> right_forearm"))
  var grid = CellGrid(width: 72, height: 7)
  table.render(into: &grid, rect: Rect(x: 1, y: 1, width: 70, height: 5), scrollOffset: 100)
  #expect(grid[1, 4].scalar == ">" && grid[1, 4].attributes == [.bold])
  #expect(grid[1, 4].foreground == Color.errorRamp(1))  // 20 % error: fully red at the default 20 % scale
  #expect(grid[0, 4].scalar == " " && grid[71, 4].scalar == " ")  // nothing outside the rect
}
