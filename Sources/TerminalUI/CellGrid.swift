// TerminalUI: the cell grid every pane renders into (cells, rectangles, clipped text and boxes).

/// Text attributes of a cell.
public struct CellAttributes: OptionSet, Hashable, Sendable {
  public let rawValue: UInt8
  public init(rawValue: UInt8) { self.rawValue = rawValue }

  /// Bold / bright.
  public static let bold = CellAttributes(rawValue: 1)
  /// Dim / faint.
  public static let dim = CellAttributes(rawValue: 2)
  /// Reverse video (foreground and background swapped).
  public static let reverse = CellAttributes(rawValue: 4)
  /// Underlined.
  public static let underline = CellAttributes(rawValue: 8)
}

/// One terminal cell: a character (one Unicode scalar), its colours and attributes.
///
/// A double-width character occupies its cell and the cell to its right, which then holds
/// `Cell.continuationScalar` and is skipped on output.
public struct Cell: Hashable, Sendable {
  /// The character shown.
  public var scalar: Unicode.Scalar
  /// Foreground (text) colour.
  public var foreground: Color
  /// Background colour.
  public var background: Color
  /// Bold, dim, reverse, underline.
  public var attributes: CellAttributes

  /// Creates a cell.
  @inlinable
  public init(
    _ scalar: Unicode.Scalar, foreground: Color = .terminalDefault, background: Color = .terminalDefault,
    attributes: CellAttributes = []
  ) {
    self.scalar = scalar
    self.foreground = foreground
    self.background = background
    self.attributes = attributes
  }

  /// A space in the default colours.
  public static let blank = Cell(" ")
  /// The placeholder scalar of the right half of a double-width character.
  public static let continuationScalar: Unicode.Scalar = "\u{0}"

  /// True for the right half of a double-width character.
  @inlinable public var isContinuation: Bool { scalar == Cell.continuationScalar }
}

/// A rectangle of cells; `x`, `y` is the top-left cell. Widths and heights below zero count as zero;
/// coordinates are clamped to ±2⁴⁰ and sizes to 2⁴⁰ so that edge arithmetic can never overflow.
public struct Rect: Hashable, Sendable, CustomStringConvertible {
  /// Left column.
  public var x: Int
  /// Top row.
  public var y: Int
  /// Width in cells.
  public var width: Int
  /// Height in cells.
  public var height: Int

  /// Creates a rectangle (negative sizes are stored as 0).
  public init(x: Int, y: Int, width: Int, height: Int) {
    let limit = 1 << 40
    self.x = min(limit, max(-limit, x))
    self.y = min(limit, max(-limit, y))
    self.width = min(limit, max(0, width))
    self.height = min(limit, max(0, height))
  }

  /// The empty rectangle at the origin.
  public static let zero = Rect(x: 0, y: 0, width: 0, height: 0)

  /// One past the right column.
  public var maxX: Int { x + width }
  /// One past the bottom row.
  public var maxY: Int { y + height }
  /// True when the rectangle has no cells.
  public var isEmpty: Bool { width <= 0 || height <= 0 }

  /// True when the cell (`px`, `py`) is inside.
  @inlinable public func contains(x px: Int, y py: Int) -> Bool {
    px >= x && px < x + width && py >= y && py < y + height
  }

  /// The overlap of two rectangles (empty when they do not overlap).
  public func intersection(_ other: Rect) -> Rect {
    let left = max(x, other.x)
    let top = max(y, other.y)
    let right = min(maxX, other.maxX)
    let bottom = min(maxY, other.maxY)
    return Rect(x: left, y: top, width: right - left, height: bottom - top)
  }

  /// The rectangle shrunk by `n` cells on every side.
  public func inset(by n: Int) -> Rect {
    Rect(x: x + n, y: y + n, width: width - 2 * n, height: height - 2 * n)
  }

  public var description: String { "Rect(x: \(x), y: \(y), \(width)x\(height))" }
}

/// Characters for the Unicode or plain-ASCII look (box borders, ellipsis, markers, sparklines).
public enum GlyphSet: String, CaseIterable, Sendable {
  /// Box drawing, braille, half blocks and block-element sparklines.
  case unicode
  /// 7-bit ASCII only.
  case ascii

  /// Border of an unfocused pane.
  public var box: BoxStyle { self == .unicode ? .light : .ascii }
  /// Border of the focused pane.
  public var focusedBox: BoxStyle { self == .unicode ? .heavy : .asciiFocused }
  /// What ends truncated text.
  public var ellipsis: Unicode.Scalar { self == .unicode ? "…" : "~" }
}

/// The six characters of a box border.
public struct BoxStyle: Hashable, Sendable {
  /// Horizontal edge.
  public var horizontal: Unicode.Scalar
  /// Vertical edge.
  public var vertical: Unicode.Scalar
  /// Corners: top-left, top-right, bottom-left, bottom-right.
  public var topLeft: Unicode.Scalar
  public var topRight: Unicode.Scalar
  public var bottomLeft: Unicode.Scalar
  public var bottomRight: Unicode.Scalar

  /// Creates a style from its six characters.
  public init(
    horizontal: Unicode.Scalar, vertical: Unicode.Scalar, topLeft: Unicode.Scalar, topRight: Unicode.Scalar,
    bottomLeft: Unicode.Scalar, bottomRight: Unicode.Scalar
  ) {
    self.horizontal = horizontal
    self.vertical = vertical
    self.topLeft = topLeft
    self.topRight = topRight
    self.bottomLeft = bottomLeft
    self.bottomRight = bottomRight
  }

  /// `┌─┐│└┘`.
  public static let light = BoxStyle(
    horizontal: "─", vertical: "│", topLeft: "┌", topRight: "┐", bottomLeft: "└", bottomRight: "┘")
  /// `┏━┓┃┗┛`.
  public static let heavy = BoxStyle(
    horizontal: "━", vertical: "┃", topLeft: "┏", topRight: "┓", bottomLeft: "┗", bottomRight: "┛")
  /// `+-+|++`.
  public static let ascii = BoxStyle(
    horizontal: "-", vertical: "|", topLeft: "+", topRight: "+", bottomLeft: "+", bottomRight: "+")
  /// `#=#H##` (the focused pane in ASCII).
  public static let asciiFocused = BoxStyle(
    horizontal: "=", vertical: "H", topLeft: "#", topRight: "#", bottomLeft: "#", bottomRight: "#")
}

/// Display width of characters in terminal columns (a small, locale-independent `wcwidth`).
public enum TextWidth {
  /// Columns taken by `scalar`: 0 for combining marks and zero-width characters, 2 for East Asian wide
  /// and emoji ranges, -1 for control characters (which text drawing replaces by `?`), 1 otherwise.
  public static func columns(_ scalar: Unicode.Scalar) -> Int {
    let v = scalar.value
    if v >= 0x20 && v < 0x7F { return 1 }
    if v < 0x20 || (v >= 0x7F && v < 0xA0) { return -1 }
    if v == 0x200B || v == 0x200C || v == 0x200D || v == 0xFEFF { return 0 }
    switch scalar.properties.generalCategory {
    case .nonspacingMark, .enclosingMark, .format: return 0
    default: break
    }
    return isWide(v) ? 2 : 1
  }

  /// Total columns of a string (control characters count as 1, like their `?` replacement).
  public static func columns(of text: String) -> Int {
    text.unicodeScalars.reduce(0) { $0 + max(columns($1), $1.value < 0x20 || $1.value == 0x7F ? 1 : 0) }
  }

  /// `text` cut to at most `width` columns, ending in `ellipsis` (after any trailing spaces of the kept
  /// part) when it was cut.
  public static func truncated(_ text: String, toColumns width: Int, ellipsis: Unicode.Scalar = "…") -> String
  {
    guard width > 0 else { return "" }
    if columns(of: text) <= width { return text }
    var out = String.UnicodeScalarView()
    var used = 0
    for s in text.unicodeScalars {
      let w = max(columns(s), s.value < 0x20 || s.value == 0x7F ? 1 : 0)
      if used + w > width - 1 { break }
      out.append(s)
      used += w
    }
    while let last = out.last, last == " " { out.removeLast() }
    out.append(ellipsis)
    return String(out)
  }

  static func isWide(_ v: UInt32) -> Bool {
    switch v {
    case 0x1100...0x115F, 0x2E80...0x303E, 0x3041...0x33FF, 0x3400...0x4DBF, 0x4E00...0x9FFF,
      0xA000...0xA4CF, 0xAC00...0xD7A3, 0xF900...0xFAFF, 0xFE10...0xFE19, 0xFE30...0xFE6F,
      0xFF00...0xFF60, 0xFFE0...0xFFE6, 0x1F300...0x1F64F, 0x1F900...0x1F9FF, 0x20000...0x2FFFD,
      0x30000...0x3FFFD:
      return true
    default:
      return false
    }
  }
}

/// A width × height grid of cells with clipped drawing: every write outside `clip` (and the grid) is
/// ignored, so renderers can never write out of bounds.
public struct CellGrid: Sendable, Equatable {
  /// Width in cells.
  public private(set) var width: Int
  /// Height in cells.
  public private(set) var height: Int
  /// The cells, row-major (`y * width + x`).
  public private(set) var cells: [Cell]
  /// Writes outside this rectangle are ignored; always inside the grid.
  public var clip: Rect {
    didSet { clip = clip.intersection(bounds) }
  }

  /// Creates a grid filled with `fill` (negative sizes count as zero).
  public init(width: Int, height: Int, fill: Cell = .blank) {
    self.width = max(0, width)
    self.height = max(0, height)
    let (count, overflow) = self.width.multipliedReportingOverflow(by: self.height)
    if overflow || count > 1 << 22 {
      // Absurd sizes (more than 4 M cells) become empty rather than exhausting memory.
      self.width = 0
      self.height = 0
    }
    cells = [Cell](repeating: fill, count: self.width * self.height)
    clip = Rect(x: 0, y: 0, width: self.width, height: self.height)
  }

  /// The whole grid.
  public var bounds: Rect { Rect(x: 0, y: 0, width: width, height: height) }

  /// The cell at (`x`, `y`), or a blank cell outside the grid.
  public subscript(x: Int, y: Int) -> Cell {
    guard x >= 0, x < width, y >= 0, y < height else { return .blank }
    return cells[y * width + x]
  }

  /// Sets the cell at (`x`, `y`) when it is inside `clip`. Overwriting half of a double-width character
  /// blanks its other half.
  public mutating func set(x: Int, y: Int, _ cell: Cell) {
    guard clip.contains(x: x, y: y) else { return }
    let i = y * width + x
    let old = cells[i].scalar.value
    if old == 0, x > 0, cells[i - 1].scalar.value >= 0x1100 {
      cells[i - 1].scalar = " "
    } else if old >= 0x1100, x + 1 < width, cells[i + 1].isContinuation {
      cells[i + 1].scalar = " "
    }
    cells[i] = cell
  }

  /// Changes the size (contents become `fill`; clip is reset to the whole grid).
  public mutating func resize(width newWidth: Int, height newHeight: Int, fill: Cell = .blank) {
    self = CellGrid(width: newWidth, height: newHeight, fill: fill)
  }

  /// Fills the whole grid (ignoring `clip`).
  public mutating func clear(_ fill: Cell = .blank) {
    for i in cells.indices { cells[i] = fill }
  }

  /// Fills `rect` (clipped).
  public mutating func fill(_ rect: Rect, with cell: Cell) {
    let r = rect.intersection(clip)
    guard !r.isEmpty else { return }
    for y in r.y..<r.maxY {
      for x in r.x..<r.maxX { set(x: x, y: y, cell) }
    }
  }

  /// Runs `body` with `clip` narrowed to `rect`, then restores it.
  public mutating func withClip<T>(_ rect: Rect, _ body: (inout CellGrid) throws -> T) rethrows -> T {
    let saved = clip
    clip = rect.intersection(saved)
    defer { clip = saved }
    return try body(&self)
  }

  /// Draws `text` from (`x`, `y`) on one line, at most `maxWidth` columns (and never past `clip`),
  /// returning the columns used. Control characters become `?`, combining marks are dropped, and a
  /// double-width character that does not fit ends the text.
  @discardableResult
  public mutating func drawText(
    _ text: String, x: Int, y: Int, maxWidth: Int? = nil, foreground: Color = .terminalDefault,
    background: Color = .terminalDefault, attributes: CellAttributes = []
  ) -> Int {
    guard y >= clip.y, y < clip.maxY, x < clip.maxX, x > -(1 << 40) else { return 0 }
    let limit = x + min(clip.maxX - x, max(0, maxWidth ?? Int.max))
    var cx = x
    for s in text.unicodeScalars {
      guard cx < limit else { break }
      var w = TextWidth.columns(s)
      var scalar = s
      if w == 0 { continue }
      if w < 0 {
        scalar = "?"
        w = 1
      }
      if w == 2 {
        guard cx + 1 < limit else { break }
        if cx >= clip.x {
          set(
            x: cx, y: y, Cell(scalar, foreground: foreground, background: background, attributes: attributes))
          set(
            x: cx + 1, y: y,
            Cell(
              Cell.continuationScalar, foreground: foreground, background: background, attributes: attributes)
          )
        }
        cx += 2
        continue
      }
      set(x: cx, y: y, Cell(scalar, foreground: foreground, background: background, attributes: attributes))
      cx += 1
    }
    return max(0, cx - x)
  }

  /// Draws a border around `rect` with an optional title on the top edge (`┌─ title ─┐`).
  public mutating func drawBox(
    _ rect: Rect, style: BoxStyle = .light, title: String? = nil, foreground: Color = .terminalDefault,
    attributes: CellAttributes = [], titleAttributes: CellAttributes = [.bold], ellipsis: Unicode.Scalar = "…"
  ) {
    guard rect.width >= 2, rect.height >= 2 else { return }
    let edge = { (s: Unicode.Scalar) in Cell(s, foreground: foreground, attributes: attributes) }
    // Only the visible part of each edge is visited, so huge rectangles cost nothing.
    let x0 = max(rect.x + 1, clip.x)
    let x1 = min(rect.maxX - 1, clip.maxX)
    if x0 < x1 {
      for x in x0..<x1 {
        set(x: x, y: rect.y, edge(style.horizontal))
        set(x: x, y: rect.maxY - 1, edge(style.horizontal))
      }
    }
    let y0 = max(rect.y + 1, clip.y)
    let y1 = min(rect.maxY - 1, clip.maxY)
    if y0 < y1 {
      for y in y0..<y1 {
        set(x: rect.x, y: y, edge(style.vertical))
        set(x: rect.maxX - 1, y: y, edge(style.vertical))
      }
    }
    set(x: rect.x, y: rect.y, edge(style.topLeft))
    set(x: rect.maxX - 1, y: rect.y, edge(style.topRight))
    set(x: rect.x, y: rect.maxY - 1, edge(style.bottomLeft))
    set(x: rect.maxX - 1, y: rect.maxY - 1, edge(style.bottomRight))
    // `┌ title ─┐`: the title keeps a space on each side and at least one edge character after it.
    if let title, !title.isEmpty, rect.width >= 6 {
      let text = " " + TextWidth.truncated(title, toColumns: rect.width - 5, ellipsis: ellipsis) + " "
      drawText(
        text, x: rect.x + 1, y: rect.y, maxWidth: rect.width - 2, foreground: foreground,
        attributes: attributes.union(titleAttributes))
    }
  }

  /// Copies `other` with its top-left corner at (`x`, `y`) (clipped).
  public mutating func blit(_ other: CellGrid, x: Int, y: Int) {
    for oy in 0..<other.height {
      for ox in 0..<other.width { set(x: x + ox, y: y + oy, other.cells[oy * other.width + ox]) }
    }
  }

  /// The text of row `y` without colours (continuation cells skipped), or "" outside the grid.
  public func line(_ y: Int) -> String {
    guard y >= 0, y < height else { return "" }
    var out = String.UnicodeScalarView()
    for x in 0..<width {
      let c = cells[y * width + x]
      if !c.isContinuation { out.append(c.scalar) }
    }
    return String(out)
  }

  /// All rows as plain text.
  public var lines: [String] { (0..<height).map(line) }
}
