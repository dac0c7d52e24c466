// TerminalUI: the bone-length diagnostics pane (per-bone rows, sparklines, summary line).

import PoseScope

/// One bone of the diagnostics table. Lengths are in millimetres; nil means unknown.
public struct BoneTableRow: Sendable, Hashable {
  /// Bone name.
  public var name: String
  /// Measured length (mm).
  public var length: Double?
  /// Reference length (mm).
  public var reference: Double?
  /// Left/right asymmetry of the bone's pair, `(left − right) / mean` in percent; nil for unpaired bones.
  public var asymmetryPercent: Double?
  /// Name of the left/right pair the bone belongs to (both rows of a pair share it and its asymmetry).
  public var pair: String?
  /// Standard deviation of the length over the sequence (mm).
  public var standardDeviation: Double?
  /// Length per frame (mm), for the sparkline.
  public var history: [Double]

  /// Creates a row.
  public init(
    name: String, length: Double?, reference: Double? = nil, asymmetryPercent: Double? = nil,
    pair: String? = nil, standardDeviation: Double? = nil, history: [Double] = []
  ) {
    self.name = name
    self.length = length
    self.reference = reference
    self.asymmetryPercent = asymmetryPercent
    self.pair = pair
    self.standardDeviation = standardDeviation
    self.history = history
  }

  /// `length − reference` (mm) when both are known and finite.
  public var error: Double? {
    guard let length, let reference, length.isFinite, reference.isFinite else { return nil }
    return length - reference
  }

  /// `100 · (length − reference) / reference` when the reference is positive.
  public var errorPercent: Double? {
    guard let error, let reference, reference > 0 else { return nil }
    return 100 * error / reference
  }
}

/// The bone-length diagnostics: rows plus optional whole-pose errors against ground truth.
public struct BoneTable: Sendable, Hashable {
  /// One row per bone.
  public var rows: [BoneTableRow]
  /// Mean per-joint position error against ground truth (mm).
  public var mpjpe: Double?
  /// Procrustes-aligned MPJPE (mm).
  public var paMPJPE: Double?
  /// Relative error (percent) drawn fully red.
  public var errorScalePercent: Double = 20
  /// Adds a diverging bar of each bone's relative error (±`errorScalePercent` at the ends) in the
  /// width left over when there is no history column.
  public var showErrorBars = false
  /// The summary when no bone has an error (e.g. "no pose in this frame").
  public var noErrorSummary = "no reference lengths"

  /// Creates a table from rows.
  public init(rows: [BoneTableRow], mpjpe: Double? = nil, paMPJPE: Double? = nil) {
    self.rows = rows
    self.mpjpe = mpjpe
    self.paMPJPE = paMPJPE
  }

  /// Builds the rows of `skeleton`'s bones from PoseCore data, converting lengths with
  /// `unitToMillimetres` (1000 for metres): `lengths` (one pose), optional `reference` lengths and
  /// `history` (`history[frame][bone]`, for the std and sparkline). Arrays of the wrong size are ignored
  /// (their columns stay empty) rather than rejected. Asymmetry comes from `PoseMetrics.asymmetry`.
  public init(
    skeleton: Skeleton, lengths: [Double], reference: [Double]? = nil, history: [[Double]]? = nil,
    unitToMillimetres: Double = 1000, mpjpe: Double? = nil, paMPJPE: Double? = nil
  ) {
    let n = skeleton.bones.count
    let scale = unitToMillimetres.isFinite && unitToMillimetres > 0 ? unitToMillimetres : 1
    let lengthsOK = lengths.count == n
    let referenceOK = reference?.count == n
    let frames = (history ?? []).filter { $0.count == n }
    let statistics = frames.isEmpty ? nil : try? BoneLengthStatistics(frames: frames)
    var asymmetry = [Double?](repeating: nil, count: n)
    var pairName = [String?](repeating: nil, count: n)
    if lengthsOK, let pairs = try? PoseMetrics.asymmetry(lengths: lengths, skeleton: skeleton) {
      for (pair, a) in zip(skeleton.bonePairs, pairs) where a.relativeDifference.isFinite {
        asymmetry[pair.left] = 100 * a.relativeDifference
        asymmetry[pair.right] = 100 * a.relativeDifference
        pairName[pair.left] = pair.name
        pairName[pair.right] = pair.name
      }
    }
    func finite(_ v: Double?) -> Double? { v.flatMap { $0.isFinite ? $0 * scale : nil } }
    rows = skeleton.bones.indices.map { b in
      BoneTableRow(
        name: skeleton.bones[b].name, length: lengthsOK ? finite(lengths[b]) : nil,
        reference: referenceOK ? finite(reference?[b]) : nil, asymmetryPercent: asymmetry[b],
        pair: pairName[b],
        standardDeviation: finite(statistics?.standardDeviation[b]),
        history: frames.map { $0[b] * scale })
    }
    self.mpjpe = mpjpe
    self.paMPJPE = paMPJPE
  }

  /// The row with the largest absolute error (ties: the first), nil when no row has an error.
  public var worstRow: Int? {
    var best: Int?
    var bestValue = -1.0
    for (i, row) in rows.enumerated() {
      if let e = row.error, abs(e) > bestValue {
        best = i
        bestValue = abs(e)
      }
    }
    return best
  }

  /// Mean absolute error (mm) over rows with an error.
  public var meanAbsoluteError: Double? { Self.mean(rows.compactMap { $0.error.map(abs) }) }
  /// Mean absolute error in percent of the reference.
  public var meanAbsoluteErrorPercent: Double? { Self.mean(rows.compactMap { $0.errorPercent.map(abs) }) }
  /// Largest absolute error (mm).
  public var maxAbsoluteError: Double? { rows.compactMap { $0.error.map(abs) }.max() }
  /// Mean absolute asymmetry (percent) over bone pairs: rows sharing a `pair` name count once, rows
  /// without one count individually.
  public var meanAbsoluteAsymmetry: Double? {
    var seen: Set<String> = []
    var values: [Double] = []
    for row in rows {
      guard let a = row.asymmetryPercent else { continue }
      if let pair = row.pair {
        if seen.contains(pair) { continue }
        seen.insert(pair)
      }
      values.append(abs(a))
    }
    return Self.mean(values)
  }

  /// The summary line, e.g. `mean err 12 mm (3.1%)  max 40 mm right_forearm  asym 4.2%  MPJPE 52.3 mm`.
  public var summary: String {
    var parts: [String] = []
    if let mean = meanAbsoluteError {
      var s = "mean err \(NumberFormat.fixed(mean, decimals: 0)) mm"
      if let p = meanAbsoluteErrorPercent { s += " (\(NumberFormat.fixed(p, decimals: 1))%)" }
      parts.append(s)
    }
    if let m = maxAbsoluteError, let w = worstRow {
      parts.append("max \(NumberFormat.fixed(m, decimals: 0)) mm \(rows[w].name)")
    }
    if let a = meanAbsoluteAsymmetry { parts.append("asym \(NumberFormat.fixed(a, decimals: 1))%") }
    if let m = mpjpe, m.isFinite { parts.append("MPJPE \(NumberFormat.fixed(m, decimals: 1)) mm") }
    if let m = paMPJPE, m.isFinite { parts.append("PA-MPJPE \(NumberFormat.fixed(m, decimals: 1)) mm") }
    return parts.isEmpty ? noErrorSummary : parts.joined(separator: "  ")
  }

  /// A column of the table.
  public enum Column: String, CaseIterable, Sendable {
    case length = "len"
    case reference = "ref"
    case error = "err"
    case errorPercent = "err%"
    case asymmetry = "asym%"
    case standardDeviation = "std"
    case history = "history"
    case errorBar = "error"

    /// Columns that take the width left over.
    var isFlexible: Bool { self == .history || self == .errorBar }
  }

  /// Columns shown for a pane `width` cells wide: only columns with data, dropping the least important
  /// (history, std, asymmetry, reference, err%) until the rest fits next to the names.
  public func columns(width: Int) -> (name: Int, columns: [Column]) {
    var available: [Column] = []
    let has = { (f: (BoneTableRow) -> Bool) in rows.contains(where: f) }
    if has({ $0.length != nil }) { available.append(.length) }
    if has({ $0.reference != nil }) { available.append(.reference) }
    if has({ $0.error != nil }) { available += [.error, .errorPercent] }
    if has({ $0.asymmetryPercent != nil }) { available.append(.asymmetry) }
    if has({ $0.standardDeviation != nil }) { available.append(.standardDeviation) }
    if has({ !$0.history.isEmpty }) {
      available.append(.history)
    } else if showErrorBars && has({ $0.errorPercent != nil }) {
      available.append(.errorBar)
    }
    let longest = rows.map { TextWidth.columns(of: $0.name) }.max() ?? 4
    let nameWidth = min(24, max(8, longest))
    let dropOrder: [Column] = [
      .errorBar, .history, .standardDeviation, .asymmetry, .reference, .errorPercent, .error, .length,
    ]
    var shown = available
    func needed(_ cols: [Column]) -> Int {
      2 + nameWidth
        + cols.reduce(0) { $0 + 1 + Self.width(of: $1) }
    }
    for drop in dropOrder where needed(shown) > width { shown.removeAll { $0 == drop } }
    let others = needed(shown) - nameWidth
    return (max(1, min(nameWidth, width - others)), shown)
  }

  static let minHistoryWidth = 6
  static let minBarWidth = 9
  static let maxBarWidth = 41

  static func width(of column: Column) -> Int {
    switch column {
    case .length, .reference: return 5
    case .error: return 5
    case .errorPercent, .asymmetry: return 6
    case .standardDeviation: return 5
    case .history: return minHistoryWidth
    case .errorBar: return minBarWidth
    }
  }

  /// The text lines of the table for a pane `width` × `height` cells: header, rows from
  /// `scrollOffset` (clamped), and the summary on the last line. The worst row is marked with `>`.
  public func lines(width: Int, height: Int, scrollOffset: Int = 0, glyphs: GlyphSet = .unicode) -> [String] {
    layout(width: width, height: height, scrollOffset: scrollOffset, glyphs: glyphs).map(\.text)
  }

  /// The scroll offset clamped to the rows that exist for a pane `height` rows tall.
  public func clampedScroll(_ offset: Int, height: Int) -> Int {
    let visible = max(0, height - 2)
    return max(0, min(offset, rows.count - visible))
  }

  /// Draws the table into `rect` of `grid` (header dim, worst row bold with a `>` marker, errors
  /// coloured green→red by their percentage).
  public func render(
    into grid: inout CellGrid, rect: Rect, scrollOffset: Int = 0, glyphs: GlyphSet = .unicode
  ) {
    guard !rect.isEmpty else { return }
    grid.withClip(rect) { g in
      for (i, line) in layout(
        width: rect.width, height: rect.height, scrollOffset: scrollOffset, glyphs: glyphs
      )
      .enumerated() {
        var x = rect.x
        for span in line.spans {
          x += g.drawText(
            span.text, x: x, y: rect.y + i, maxWidth: rect.maxX - x, foreground: span.color,
            attributes: span.attributes)
        }
      }
    }
  }

  struct Span {
    var text: String
    var color: Color = .terminalDefault
    var attributes: CellAttributes = []
  }

  struct Line {
    var spans: [Span]
    var text: String { spans.map(\.text).joined() }
  }

  func layout(width: Int, height: Int, scrollOffset: Int, glyphs: GlyphSet) -> [Line] {
    guard width > 0, height > 0 else { return [] }
    // Panes are never taller than this; it bounds the padding before the summary line.
    let height = min(height, 10_000)
    let width = min(width, 10_000)
    let (nameWidth, cols) = columns(width: width)
    let fixed = 2 + nameWidth + cols.reduce(0) { $0 + ($1.isFlexible ? 1 : 1 + Self.width(of: $1)) }
    let historyWidth = max(Self.minHistoryWidth, width - fixed)
    // An odd width, so that zero error sits on a middle column.
    let barRoom = min(Self.maxBarWidth, max(Self.minBarWidth, width - fixed))
    let barWidth = barRoom % 2 == 1 ? barRoom : barRoom - 1
    var out: [Line] = []
    var header = [Span(text: "  " + NumberFormat.padRight("bone", nameWidth, ellipsis: glyphs.ellipsis))]
    for c in cols {
      switch c {
      case .history: header.append(Span(text: " " + NumberFormat.padRight(c.rawValue, historyWidth)))
      case .errorBar:
        header.append(Span(text: " " + Self.barScale(width: barWidth, percent: errorScalePercent)))
      default: header.append(Span(text: " " + NumberFormat.padLeft(c.rawValue, Self.width(of: c))))
      }
    }
    out.append(Line(spans: header.map { Span(text: $0.text, attributes: [.bold]) }))
    let visible = max(0, height - 2)
    let start = clampedScroll(scrollOffset, height: height)
    let worst = worstRow
    for r in start..<min(rows.count, start + visible) {
      let row = rows[r]
      let isWorst = r == worst
      let attributes: CellAttributes = isWorst ? [.bold] : []
      let errorColor =
        row.errorPercent.map { Color.errorRamp(abs($0) / errorScalePercent) } ?? .terminalDefault
      var spans = [
        Span(
          text: (isWorst ? "> " : "  ")
            + NumberFormat.padRight(row.name, nameWidth, ellipsis: glyphs.ellipsis),
          color: isWorst ? errorColor : .terminalDefault, attributes: attributes)
      ]
      for c in cols {
        let w = Self.width(of: c)
        func num(_ v: Double?, _ d: Int, signed: Bool = false) -> String {
          " " + NumberFormat.padLeft(v.map { NumberFormat.fixed($0, decimals: d, signed: signed) } ?? "-", w)
        }
        switch c {
        case .length: spans.append(Span(text: num(row.length, 0), attributes: attributes))
        case .reference: spans.append(Span(text: num(row.reference, 0)))
        case .error:
          spans.append(Span(text: num(row.error, 0, signed: true), color: errorColor, attributes: attributes))
        case .errorPercent:
          spans.append(
            Span(text: num(row.errorPercent, 1, signed: true), color: errorColor, attributes: attributes))
        case .asymmetry: spans.append(Span(text: num(row.asymmetryPercent, 1, signed: true)))
        case .standardDeviation: spans.append(Span(text: num(row.standardDeviation, 1)))
        case .history:
          spans.append(Span(text: " " + Sparkline.render(row.history, width: historyWidth, glyphs: glyphs)))
        case .errorBar:
          spans.append(Span(text: " "))
          spans += Self.bar(row.errorPercent, width: barWidth, scale: errorScalePercent, glyphs: glyphs)
        }
      }
      out.append(Line(spans: spans))
    }
    if height >= 2 {
      while out.count < height - 1 { out.append(Line(spans: [])) }
      out.append(
        Line(spans: [
          Span(
            text: TextWidth.truncated(summary, toColumns: width, ellipsis: glyphs.ellipsis),
            attributes: [.bold])
        ]))
    }
    return Array(out.prefix(height))
  }

  /// The bar column's header: `-20%`, `0` and `+20%` at the left end, middle and right end.
  static func barScale(width: Int, percent: Double) -> String {
    let p = NumberFormat.fixed(percent, decimals: 0)
    var chars = [Character](repeating: " ", count: width)
    func put(_ text: String, at x: Int) {
      for (i, c) in text.enumerated() where x + i >= 0 && x + i < width { chars[x + i] = c }
    }
    if width >= 2 * p.count + 5 {
      put("-\(p)%", at: 0)
      put("+\(p)%", at: width - p.count - 2)
    }
    put("0", at: width / 2)
    return String(chars)
  }

  /// A diverging bar of `percent` in `width` cells (odd): filled from the middle column to the left for
  /// negative errors and to the right for positive ones, `scale` percent reaching the end; the middle
  /// column shows a thin line.
  static func bar(_ percent: Double?, width: Int, scale: Double, glyphs: GlyphSet) -> [Span] {
    let half = width / 2
    let line: String = glyphs == .unicode ? "│" : "|"
    let fill: String = glyphs == .unicode ? "█" : "#"
    guard let p = percent, p.isFinite, scale > 0 else {
      return [Span(text: String(repeating: " ", count: half)), Span(text: line, attributes: [.dim])]
    }
    let n = Int((min(1, abs(p) / scale) * Double(half)).rounded())
    let color = Color.errorRamp(abs(p) / scale)
    let filled = String(repeating: fill, count: n)
    let centre = Span(text: line, attributes: [.dim])
    if p < 0 {
      return [
        Span(text: String(repeating: " ", count: half - n)), Span(text: filled, color: color), centre,
        Span(text: String(repeating: " ", count: half)),
      ]
    }
    return [
      Span(text: String(repeating: " ", count: half)), centre, Span(text: filled, color: color),
      Span(text: String(repeating: " ", count: half - n)),
    ]
  }

  static func mean(_ values: [Double]) -> Double? {
    let finite = values.filter(\.isFinite)
    return finite.isEmpty ? nil : finite.reduce(0, +) / Double(finite.count)
  }
}

/// Sparklines: a series of values as a row of block characters.
public enum Sparkline {
  /// The eight levels, lowest first.
  public static let ticks: [Unicode.Scalar] = ["▁", "▂", "▃", "▄", "▅", "▆", "▇", "█"]
  /// The ASCII levels, lowest first.
  public static let asciiTicks: [Unicode.Scalar] = ["_", ".", "-", "~", "=", "+", "*", "#"]

  /// Level 0…7 of each value between `range` (default: the finite min and max of `values`):
  /// `round(7 · (v − min) / (max − min))`, clamped; a constant series (spread ≤ 1e-9 relative) gives level 3
  /// everywhere; non-finite values give nil.
  public static func levels(_ values: [Double], range: ClosedRange<Double>? = nil) -> [Int?] {
    let finite = values.filter(\.isFinite)
    guard let lo = range?.lowerBound ?? finite.min(), let hi = range?.upperBound ?? finite.max() else {
      return values.map { _ in nil }
    }
    return values.map { v in
      guard v.isFinite else { return nil }
      // A spread at rounding level (bucket means of a constant series) is constant too.
      guard hi - lo > 1e-9 * max(1, abs(hi)), (hi - lo).isFinite else { return 3 }
      let level = (7 * (v - lo) / (hi - lo)).rounded()
      return level.isNaN ? nil : Int(min(7, max(0, level)))
    }
  }

  /// At most `width` values: the series itself when short enough, else the means of `width` equal
  /// consecutive buckets (non-finite values skipped; an all-NaN bucket stays NaN).
  public static func resample(_ values: [Double], width: Int) -> [Double] {
    guard width > 0 else { return [] }
    guard values.count > width else { return values }
    return (0..<width).map { i in
      let start = i * values.count / width
      let end = max(start + 1, (i + 1) * values.count / width)
      var sum = 0.0
      var n = 0
      for v in values[start..<end] where v.isFinite {
        sum += v
        n += 1
      }
      return n > 0 ? sum / Double(n) : .nan
    }
  }

  /// The sparkline of `values` in at most `width` columns (resampled when longer); non-finite values
  /// show as spaces.
  public static func render(
    _ values: [Double], width: Int, range: ClosedRange<Double>? = nil, glyphs: GlyphSet = .unicode
  ) -> String {
    let t = glyphs == .unicode ? ticks : asciiTicks
    var out = String.UnicodeScalarView()
    for level in levels(resample(values, width: width), range: range) {
      out.append(level.map { t[$0] } ?? " ")
    }
    return String(out)
  }
}
