// TerminalUI: dot canvases (braille 2×4 dots per cell, ASCII fallback) with per-cell depth, and lines.

import PoseScope

/// How a line is drawn: every dot, or every other dot (the ASCII canvas uses `.` for dotted lines).
public enum LinePattern: Sendable, Hashable {
  /// Every dot.
  case solid
  /// Every other dot along the line.
  case dotted
}

/// Line rasterisation on a dot grid.
public enum LineRaster {
  /// Visits the dots of the Bresenham line from (`x0`, `y0`) to (`x1`, `y1`), both ends included, in order
  /// from the first point. `body` gets the dot, its step index (0…n) and `t = step / n` (0 for a single
  /// point). Coordinates beyond ±2³⁰ are refused (nothing is visited).
  public static func bresenham(
    _ x0: Int, _ y0: Int, _ x1: Int, _ y1: Int, _ body: (_ x: Int, _ y: Int, _ step: Int, _ t: Double) -> Void
  ) {
    let limit: UInt = 1 << 30
    guard x0.magnitude < limit, y0.magnitude < limit, x1.magnitude < limit, y1.magnitude < limit else {
      return
    }
    let dx = abs(x1 - x0)
    let dy = -abs(y1 - y0)
    let sx = x0 < x1 ? 1 : -1
    let sy = y0 < y1 ? 1 : -1
    let n = max(dx, -dy)
    var err = dx + dy
    var x = x0
    var y = y0
    var step = 0
    while true {
      body(x, y, step, n == 0 ? 0 : Double(step) / Double(n))
      if x == x1 && y == y1 { break }
      let e2 = 2 * err
      if e2 >= dy {
        err += dy
        x += sx
      }
      if e2 <= dx {
        err += dx
        y += sy
      }
      step += 1
    }
  }

  /// Liang–Barsky clipping of the segment `a`→`b` to the box `[minX, maxX] × [minY, maxY]`: the parameter
  /// range (0 ≤ t0 ≤ t1 ≤ 1) inside the box, or nil when the segment misses it or is not finite.
  public static func clip(
    from a: Vec2, to b: Vec2, minX: Double, minY: Double, maxX: Double, maxY: Double
  ) -> (t0: Double, t1: Double)? {
    guard a.x.isFinite, a.y.isFinite, b.x.isFinite, b.y.isFinite else { return nil }
    var t0 = 0.0
    var t1 = 1.0
    let dx = b.x - a.x
    let dy = b.y - a.y
    func edge(_ p: Double, _ q: Double) -> Bool {
      if p == 0 { return q >= 0 }
      let r = q / p
      if p < 0 {
        if r > t1 { return false }
        if r > t0 { t0 = r }
      } else {
        if r < t0 { return false }
        if r < t1 { t1 = r }
      }
      return true
    }
    guard edge(-dx, a.x - minX), edge(dx, maxX - a.x), edge(-dy, a.y - minY), edge(dy, maxY - a.y) else {
      return nil
    }
    return (t0, t1)
  }

  /// Rasterises the continuous segment `a`→`b` (dot (i, j) covers `[i, i+1) × [j, j+1)`) into a
  /// `width` × `height` dot grid: the segment is clipped to the grid first, so only dots inside are
  /// visited and a huge segment costs no more than the grid's diagonal. `body` gets each dot, its step
  /// index along the clipped line and the parameter `t` along the original segment (for depth).
  public static func rasterize(
    from a: Vec2, to b: Vec2, width: Int, height: Int,
    _ body: (_ x: Int, _ y: Int, _ step: Int, _ t: Double) -> Void
  ) {
    guard width > 0, height > 0 else { return }
    let w = Double(width)
    let h = Double(height)
    guard let (t0, t1) = clip(from: a, to: b, minX: 0, minY: 0, maxX: w, maxY: h) else { return }
    let p0 = a + (b - a) * t0
    let p1 = a + (b - a) * t1
    guard p0.x.isFinite, p0.y.isFinite, p1.x.isFinite, p1.y.isFinite else { return }
    // Clamped as Doubles before converting, so rounding noise at the box edge can never trap.
    func cell(_ v: Double, _ n: Int) -> Int { Int(min(Double(n - 1), max(0, v.rounded(.down)))) }
    let x0 = cell(p0.x, width)
    let y0 = cell(p0.y, height)
    let x1 = cell(p1.x, width)
    let y1 = cell(p1.y, height)
    bresenham(x0, y0, x1, y1) { x, y, step, u in
      guard x >= 0, x < width, y >= 0, y < height else { return }
      body(x, y, step, t0 + (t1 - t0) * u)
    }
  }
}

/// A drawing surface of dots over a block of cells with a depth test per cell: of all dots in a cell,
/// the nearest (smallest depth) decides the cell's colour. `BrailleCanvas` and `AsciiCanvas` conform.
public protocol DotCanvas {
  /// Width in cells.
  var width: Int { get }
  /// Height in cells.
  var height: Int { get }
  /// Width in dots.
  var dotWidth: Int { get }
  /// Height in dots.
  var dotHeight: Int { get }
  /// Height of a dot divided by its width on screen, taking a cell as twice as tall as wide.
  var dotAspect: Double { get }

  /// Changes the size in cells and clears the canvas (storage is reused when it is large enough).
  mutating func resize(width: Int, height: Int)
  /// Removes every dot and label.
  mutating func clear()
  /// Sets the dot (`x`, `y`) (ignored outside the canvas). Smaller depth is nearer.
  mutating func plot(x: Int, y: Int, depth: Double, color: Color, attributes: CellAttributes)
  /// Draws a line between two points in dot coordinates, the depth interpolated linearly along it.
  mutating func drawLine(
    from a: Vec2, to b: Vec2, depthA: Double, depthB: Double, color: Color, attributes: CellAttributes,
    pattern: LinePattern)
  /// Draws a joint marker centred on `p` (dot coordinates).
  mutating func drawJoint(at p: Vec2, depth: Double, color: Color, attributes: CellAttributes)
  /// Writes `text` starting in the cell that contains dot `p`, over all dots.
  mutating func drawLabel(_ text: String, at p: Vec2, color: Color, attributes: CellAttributes)
  /// Writes the canvas into `grid` with its top-left cell at (`x`, `y`); empty cells become blanks.
  func render(into grid: inout CellGrid, x: Int, y: Int)
}

/// A text label placed on a canvas.
struct CanvasLabel: Sendable {
  var x: Int
  var y: Int
  var text: String
  var color: Color
  var attributes: CellAttributes
}

/// Largest canvas side in cells (bigger requests are clamped).
let maxCanvasSide = 2048

/// A braille canvas: each cell holds 2 × 4 dots (U+2800 + dot bits), so dots are square on screen.
///
/// Dot bits within a cell: left column top→bottom 0x01, 0x02, 0x04, 0x40; right column 0x08, 0x10, 0x20,
/// 0x80 (braille dots 1, 2, 3, 7 and 4, 5, 6, 8).
public struct BrailleCanvas: DotCanvas, Sendable {
  public private(set) var width: Int
  public private(set) var height: Int
  public var dotWidth: Int { width * 2 }
  public var dotHeight: Int { height * 4 }
  public var dotAspect: Double { 1 }

  var bits: [UInt8]
  var depth: [Float]
  var color: [Color]
  var attributes: [CellAttributes]
  var labels: [CanvasLabel] = []

  /// Creates an empty canvas of `width` × `height` cells.
  public init(width: Int, height: Int) {
    self.width = min(max(0, width), maxCanvasSide)
    self.height = min(max(0, height), maxCanvasSide)
    let n = self.width * self.height
    bits = [UInt8](repeating: 0, count: n)
    depth = [Float](repeating: .infinity, count: n)
    color = [Color](repeating: .terminalDefault, count: n)
    attributes = [CellAttributes](repeating: [], count: n)
  }

  /// The bit of dot (`dx`, `dy`) inside a cell (`dx` 0…1, `dy` 0…3).
  @inlinable public static func dotBit(dx: Int, dy: Int) -> UInt8 {
    switch (dy, dx) {
    case (0, 0): return 0x01
    case (1, 0): return 0x02
    case (2, 0): return 0x04
    case (3, 0): return 0x40
    case (0, 1): return 0x08
    case (1, 1): return 0x10
    case (2, 1): return 0x20
    case (3, 1): return 0x80
    default: return 0
    }
  }

  /// The braille character of a dot pattern.
  @inlinable public static func character(bits: UInt8) -> Unicode.Scalar {
    Unicode.Scalar(0x2800 + UInt32(bits)) ?? " "
  }

  /// The dot bits of cell (`x`, `y`) (0 outside).
  public func cellBits(x: Int, y: Int) -> UInt8 {
    guard x >= 0, x < width, y >= 0, y < height else { return 0 }
    return bits[y * width + x]
  }

  public mutating func resize(width newWidth: Int, height newHeight: Int) {
    width = min(max(0, newWidth), maxCanvasSide)
    height = min(max(0, newHeight), maxCanvasSide)
    let n = width * height
    if bits.count != n {
      bits = [UInt8](repeating: 0, count: n)
      depth = [Float](repeating: .infinity, count: n)
      color = [Color](repeating: .terminalDefault, count: n)
      attributes = [CellAttributes](repeating: [], count: n)
      labels.removeAll(keepingCapacity: true)
    } else {
      clear()
    }
  }

  public mutating func clear() {
    for i in bits.indices {
      bits[i] = 0
      depth[i] = .infinity
      color[i] = .terminalDefault
      attributes[i] = []
    }
    labels.removeAll(keepingCapacity: true)
  }

  public mutating func plot(x: Int, y: Int, depth d: Double, color c: Color, attributes a: CellAttributes) {
    guard x >= 0, y >= 0, x < width * 2, y < height * 4 else { return }
    let i = (y >> 2) * width + (x >> 1)
    bits[i] |= Self.dotBit(dx: x & 1, dy: y & 3)
    let f = d.isNaN ? Float.infinity : Float(d)
    if f <= depth[i] {
      depth[i] = f
      color[i] = c
      attributes[i] = a
    }
  }

  public mutating func drawLine(
    from a: Vec2, to b: Vec2, depthA: Double, depthB: Double, color c: Color,
    attributes attrs: CellAttributes,
    pattern: LinePattern
  ) {
    LineRaster.rasterize(from: a, to: b, width: dotWidth, height: dotHeight) { x, y, step, t in
      if pattern == .dotted && step % 2 == 1 { return }
      plot(x: x, y: y, depth: depthA + (depthB - depthA) * t, color: c, attributes: attrs)
    }
  }

  /// Draws a plus of five dots centred on the dot that contains `p`.
  public mutating func drawJoint(at p: Vec2, depth d: Double, color c: Color, attributes a: CellAttributes) {
    guard let (x, y) = dotIndex(p) else { return }
    plot(x: x, y: y, depth: d, color: c, attributes: a)
    plot(x: x - 1, y: y, depth: d, color: c, attributes: a)
    plot(x: x + 1, y: y, depth: d, color: c, attributes: a)
    plot(x: x, y: y - 1, depth: d, color: c, attributes: a)
    plot(x: x, y: y + 1, depth: d, color: c, attributes: a)
  }

  public mutating func drawLabel(_ text: String, at p: Vec2, color c: Color, attributes a: CellAttributes) {
    guard let (x, y) = dotIndex(p) else { return }
    labels.append(CanvasLabel(x: x >> 1, y: y >> 2, text: text, color: c, attributes: a))
  }

  public func render(into grid: inout CellGrid, x: Int, y: Int) {
    for cy in 0..<height {
      for cx in 0..<width {
        let i = cy * width + cx
        let b = bits[i]
        let cell =
          b == 0 ? Cell.blank : Cell(Self.character(bits: b), foreground: color[i], attributes: attributes[i])
        grid.set(x: x + cx, y: y + cy, cell)
      }
    }
    grid.withClip(Rect(x: x, y: y, width: width, height: height)) { g in
      for label in labels {
        g.drawText(
          label.text, x: x + label.x, y: y + label.y, foreground: label.color, attributes: label.attributes)
      }
    }
  }

  func dotIndex(_ p: Vec2) -> (Int, Int)? {
    guard p.x.isFinite, p.y.isFinite, p.x > -1e6, p.x < 1e6, p.y > -1e6, p.y < 1e6 else { return nil }
    return (Int(p.x.rounded(.down)), Int(p.y.rounded(.down)))
  }
}

/// An ASCII canvas: one dot per cell, lines drawn with `-`, `|`, `/`, `\` by their on-screen slope,
/// dotted lines with `.` in every other cell, joints as `o`.
public struct AsciiCanvas: DotCanvas, Sendable {
  public private(set) var width: Int
  public private(set) var height: Int
  public var dotWidth: Int { width }
  public var dotHeight: Int { height }
  public var dotAspect: Double { 2 }

  var glyph: [Unicode.Scalar]
  var depth: [Float]
  var color: [Color]
  var attributes: [CellAttributes]
  var labels: [CanvasLabel] = []

  /// Creates an empty canvas of `width` × `height` cells.
  public init(width: Int, height: Int) {
    self.width = min(max(0, width), maxCanvasSide)
    self.height = min(max(0, height), maxCanvasSide)
    let n = self.width * self.height
    glyph = [Unicode.Scalar](repeating: " ", count: n)
    depth = [Float](repeating: .infinity, count: n)
    color = [Color](repeating: .terminalDefault, count: n)
    attributes = [CellAttributes](repeating: [], count: n)
  }

  /// The character of the cell (`x`, `y`) (a space outside or when empty).
  public func character(x: Int, y: Int) -> Unicode.Scalar {
    guard x >= 0, x < width, y >= 0, y < height else { return " " }
    return glyph[y * width + x]
  }

  /// The line character for a direction in dots (screen y down), given the dot aspect ratio.
  public static func lineGlyph(dx: Double, dy: Double, aspect: Double = 2) -> Unicode.Scalar {
    let px = abs(dx)
    let py = abs(dy * aspect)
    if py <= px * 0.4142 { return "-" }
    if px <= py * 0.4142 { return "|" }
    return (dx > 0) == (dy > 0) ? "\\" : "/"
  }

  public mutating func resize(width newWidth: Int, height newHeight: Int) {
    width = min(max(0, newWidth), maxCanvasSide)
    height = min(max(0, newHeight), maxCanvasSide)
    let n = width * height
    if glyph.count != n {
      glyph = [Unicode.Scalar](repeating: " ", count: n)
      depth = [Float](repeating: .infinity, count: n)
      color = [Color](repeating: .terminalDefault, count: n)
      attributes = [CellAttributes](repeating: [], count: n)
      labels.removeAll(keepingCapacity: true)
    } else {
      clear()
    }
  }

  public mutating func clear() {
    for i in glyph.indices {
      glyph[i] = " "
      depth[i] = .infinity
      color[i] = .terminalDefault
      attributes[i] = []
    }
    labels.removeAll(keepingCapacity: true)
  }

  /// Sets cell (`x`, `y`) to `g` when `depth` is at least as near as what is there.
  public mutating func plot(
    x: Int, y: Int, glyph g: Unicode.Scalar, depth d: Double, color c: Color, attributes a: CellAttributes
  ) {
    guard x >= 0, y >= 0, x < width, y < height else { return }
    let i = y * width + x
    let f = d.isNaN ? Float.infinity : Float(d)
    if f <= depth[i] {
      depth[i] = f
      glyph[i] = g
      color[i] = c
      attributes[i] = a
    }
  }

  public mutating func plot(x: Int, y: Int, depth d: Double, color c: Color, attributes a: CellAttributes) {
    plot(x: x, y: y, glyph: ".", depth: d, color: c, attributes: a)
  }

  public mutating func drawLine(
    from a: Vec2, to b: Vec2, depthA: Double, depthB: Double, color c: Color,
    attributes attrs: CellAttributes,
    pattern: LinePattern
  ) {
    let g: Unicode.Scalar = pattern == .dotted ? "." : Self.lineGlyph(dx: b.x - a.x, dy: b.y - a.y)
    LineRaster.rasterize(from: a, to: b, width: width, height: height) { x, y, step, t in
      if pattern == .dotted && step % 2 == 1 { return }
      plot(x: x, y: y, glyph: g, depth: depthA + (depthB - depthA) * t, color: c, attributes: attrs)
    }
  }

  public mutating func drawJoint(at p: Vec2, depth d: Double, color c: Color, attributes a: CellAttributes) {
    guard p.x.isFinite, p.y.isFinite, p.x > -1e6, p.x < 1e6, p.y > -1e6, p.y < 1e6 else { return }
    plot(
      x: Int(p.x.rounded(.down)), y: Int(p.y.rounded(.down)), glyph: "o", depth: d, color: c, attributes: a)
  }

  public mutating func drawLabel(_ text: String, at p: Vec2, color c: Color, attributes a: CellAttributes) {
    guard p.x.isFinite, p.y.isFinite, p.x > -1e6, p.x < 1e6, p.y > -1e6, p.y < 1e6 else { return }
    labels.append(
      CanvasLabel(x: Int(p.x.rounded(.down)), y: Int(p.y.rounded(.down)), text: text, color: c, attributes: a)
    )
  }

  public func render(into grid: inout CellGrid, x: Int, y: Int) {
    for cy in 0..<height {
      for cx in 0..<width {
        let i = cy * width + cx
        grid.set(x: x + cx, y: y + cy, Cell(glyph[i], foreground: color[i], attributes: attributes[i]))
      }
    }
    grid.withClip(Rect(x: x, y: y, width: width, height: height)) { g in
      for label in labels {
        g.drawText(
          label.text, x: x + label.x, y: y + label.y, foreground: label.color, attributes: label.attributes)
      }
    }
  }
}
