// TerminalUI: headless output of a cell grid as text with ANSI SGR colour codes (or plain text).

/// Text output of cell grids for `--once`, scripts and snapshot tests.
public enum ANSIWriter {
  /// The SGR sequence selecting `foreground`, `background` and `attributes` after a reset, with colours
  /// quantised to `mode`: e.g. `ESC[0;1;38;2;255;0;0m`, `ESC[0;38;5;196m`, `ESC[0;91;44m`. Empty for `.none`.
  public static func sgr(
    foreground: Color, background: Color, attributes: CellAttributes, mode: ColorMode
  ) -> String {
    var bytes: [UInt8] = []
    appendSGR(&bytes, foreground: foreground, background: background, attributes: attributes, mode: mode)
    return String(decoding: bytes, as: UTF8.self)
  }

  /// The grid as text, one line per row ending in `\n`. With colours, an SGR sequence is written where the
  /// style changes and `ESC[0m` ends every row that is not in the default style. `.none` gives plain text
  /// without any escape sequence. Continuation cells of wide characters are skipped; with
  /// `trimTrailingSpaces`, unstyled spaces at the end of a row are left out.
  public static func render(_ grid: CellGrid, mode: ColorMode, trimTrailingSpaces: Bool = false) -> String {
    var out: [UInt8] = []
    out.reserveCapacity(grid.width * grid.height * (mode == .none ? 3 : 12) + grid.height)
    let plain = Style(foreground: .terminalDefault, background: .terminalDefault, attributes: [])
    for y in 0..<grid.height {
      var end = grid.width
      if trimTrailingSpaces {
        while end > 0 {
          let c = grid[end - 1, y]
          let styled =
            mode != .none
            && (c.background != .terminalDefault || !c.attributes.isDisjoint(with: [.reverse, .underline]))
          guard c.scalar == " " && !styled else { break }
          end -= 1
        }
      }
      var current = plain
      for x in 0..<end {
        let cell = grid[x, y]
        if cell.isContinuation { continue }
        if mode != .none {
          let style = Style(
            foreground: cell.foreground.quantized(to: mode), background: cell.background.quantized(to: mode),
            attributes: cell.attributes)
          if style != current {
            appendSGR(
              &out, foreground: style.foreground, background: style.background, attributes: style.attributes,
              mode: mode)
            current = style
          }
        }
        appendScalar(&out, cell.scalar)
      }
      if current != plain { out += [0x1B, 0x5B, 0x30, 0x6D] }
      out.append(0x0A)
    }
    return String(decoding: out, as: UTF8.self)
  }

  struct Style: Equatable {
    var foreground: Color
    var background: Color
    var attributes: CellAttributes
  }

  static func appendScalar(_ out: inout [UInt8], _ s: Unicode.Scalar) {
    let v = s.value
    if v < 0x80 {
      out.append(UInt8(v))
    } else if v < 0x800 {
      out += [UInt8(0xC0 | (v >> 6)), UInt8(0x80 | (v & 0x3F))]
    } else if v < 0x10000 {
      out += [UInt8(0xE0 | (v >> 12)), UInt8(0x80 | ((v >> 6) & 0x3F)), UInt8(0x80 | (v & 0x3F))]
    } else {
      out += [
        UInt8(0xF0 | (v >> 18)), UInt8(0x80 | ((v >> 12) & 0x3F)), UInt8(0x80 | ((v >> 6) & 0x3F)),
        UInt8(0x80 | (v & 0x3F)),
      ]
    }
  }

  static func appendNumber(_ out: inout [UInt8], _ n: Int) {
    if n >= 100 { out.append(UInt8(0x30 + n / 100)) }
    if n >= 10 { out.append(UInt8(0x30 + (n / 10) % 10)) }
    out.append(UInt8(0x30 + n % 10))
  }

  static func appendSGR(
    _ out: inout [UInt8], foreground: Color, background: Color, attributes: CellAttributes, mode: ColorMode
  ) {
    guard mode != .none else { return }
    out += [0x1B, 0x5B, 0x30]  // ESC [ 0
    if attributes.contains(.bold) { out += [0x3B, 0x31] }
    if attributes.contains(.dim) { out += [0x3B, 0x32] }
    if attributes.contains(.underline) { out += [0x3B, 0x34] }
    if attributes.contains(.reverse) { out += [0x3B, 0x37] }
    appendColor(&out, foreground.quantized(to: mode), background: false)
    appendColor(&out, background.quantized(to: mode), background: true)
    out.append(0x6D)  // m
  }

  static func appendColor(_ out: inout [UInt8], _ color: Color, background: Bool) {
    switch color {
    case .terminalDefault:
      return
    case .indexed(let n) where n < 16:
      out.append(0x3B)
      let base = n < 8 ? (background ? 40 : 30) : (background ? 100 : 90)
      appendNumber(&out, base + Int(n % 8))
    case .indexed(let n):
      out.append(0x3B)
      appendNumber(&out, background ? 48 : 38)
      out += [0x3B, 0x35, 0x3B]  // ;5;
      appendNumber(&out, Int(n))
    case .rgb(let r, let g, let b):
      out.append(0x3B)
      appendNumber(&out, background ? 48 : 38)
      out += [0x3B, 0x32]  // ;2
      out.append(0x3B)
      appendNumber(&out, Int(r))
      out.append(0x3B)
      appendNumber(&out, Int(g))
      out.append(0x3B)
      appendNumber(&out, Int(b))
    }
  }
}

/// The grid as text with ANSI SGR colour codes for `mode` (plain text for `.none`); see
/// `ANSIWriter.render`.
public func ansiString(_ grid: CellGrid, mode: ColorMode, trimTrailingSpaces: Bool = false) -> String {
  ANSIWriter.render(grid, mode: mode, trimTrailingSpaces: trimTrailingSpaces)
}
