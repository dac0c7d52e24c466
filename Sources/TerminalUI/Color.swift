// TerminalUI: terminal colours (RGB, xterm palette), colour modes, quantisation and env detection.

import PoseScope

/// A terminal colour: the terminal's default, an entry of the xterm 256-colour palette, or 24-bit RGB.
public enum Color: Hashable, Sendable {
  /// The terminal's default foreground or background.
  case terminalDefault
  /// An xterm palette entry: 0–15 the ANSI colours, 16–231 the 6×6×6 cube, 232–255 the greys.
  case indexed(UInt8)
  /// A 24-bit colour.
  case rgb(UInt8, UInt8, UInt8)

  /// The colour of an image pixel.
  @inlinable public init(_ pixel: RGB) { self = .rgb(pixel.r, pixel.g, pixel.b) }

  /// The RGB value of the colour (palette entries use the xterm default palette); nil for the default.
  public var rgbComponents: (r: UInt8, g: UInt8, b: UInt8)? {
    switch self {
    case .terminalDefault: return nil
    case .indexed(let n): return XTermPalette.rgb(ofIndex: n)
    case .rgb(let r, let g, let b): return (r, g, b)
    }
  }

  /// The closest colour the given mode can show: unchanged for truecolor, a palette index for 256 and
  /// 16 colours, and the terminal default for `.none`.
  public func quantized(to mode: ColorMode) -> Color {
    switch (self, mode) {
    case (.terminalDefault, _), (_, .truecolor): return self
    case (_, .none): return .terminalDefault
    case (.indexed, .palette256): return self
    case (.rgb(let r, let g, let b), .palette256): return .indexed(XTermPalette.nearest256(r, g, b))
    case (.indexed(let n), .palette16) where n < 16: return self
    case (_, .palette16):
      guard let c = rgbComponents else { return .terminalDefault }
      return .indexed(XTermPalette.nearest16(c.r, c.g, c.b))
    }
  }

  /// The colour with each RGB component multiplied by `factor` (clamped to 0…255); the default colour is
  /// returned unchanged.
  public func scaled(by factor: Double) -> Color {
    guard let c = rgbComponents, factor.isFinite else { return self }
    return .rgb(
      Self.clampByte(Double(c.r) * factor), Self.clampByte(Double(c.g) * factor),
      Self.clampByte(Double(c.b) * factor))
  }

  /// Linear blend `self·(1−amount) + other·amount`; when either colour is the default, the nearer end.
  public func blended(with other: Color, amount: Double) -> Color {
    let t = amount.isFinite ? min(1, max(0, amount)) : 0
    guard let a = rgbComponents, let b = other.rgbComponents else { return t < 0.5 ? self : other }
    func mix(_ x: UInt8, _ y: UInt8) -> UInt8 { Self.clampByte(Double(x) * (1 - t) + Double(y) * t) }
    return .rgb(mix(a.r, b.r), mix(a.g, b.g), mix(a.b, b.b))
  }

  /// Green (t = 0) through yellow (0.5) to red (1) for error values; t is clamped to 0…1 (NaN → green).
  public static func errorRamp(_ t: Double) -> Color {
    let u = t.isFinite ? min(1, max(0, t)) : 0
    return .rgb(clampByte(min(1, 2 * u) * 230), clampByte(min(1, 2 * (1 - u)) * 230), 0)
  }

  /// Rounds and clamps a component value to 0…255 (NaN → 0).
  static func clampByte(_ v: Double) -> UInt8 {
    guard v.isFinite else { return 0 }
    return UInt8(min(255, max(0, v.rounded())))
  }
}

/// How many colours the output may use (`--color truecolor|256|16|none`).
public enum ColorMode: String, CaseIterable, Sendable {
  /// 24-bit colour (`ESC[38;2;r;g;bm`).
  case truecolor
  /// The xterm 256-colour palette (`ESC[38;5;nm`).
  case palette256 = "256"
  /// The 16 ANSI colours (`ESC[31m`, `ESC[91m`, …).
  case palette16 = "16"
  /// No colour at all: plain text (images use ASCII shades).
  case none

  /// Parses a `--color` argument: `truecolor`/`24bit`, `256`, `16`, `none`/`off`/`no` (case-insensitive).
  public init?(argument: String) {
    switch argument.lowercased() {
    case "truecolor", "24bit", "24-bit", "rgb": self = .truecolor
    case "256", "256color": self = .palette256
    case "16", "ansi": self = .palette16
    case "none", "off", "no", "mono": self = .none
    default: return nil
    }
  }

  /// The colour mode a terminal supports, from its environment (a pure function for tests):
  /// `NO_COLOR` set and non-empty, or `TERM=dumb` → none; `COLORTERM=truecolor|24bit` (or a `TERM` ending
  /// in `-direct`) → truecolor; `TERM` containing `256color` → 256; otherwise 16.
  public static func detect(environment env: [String: String]) -> ColorMode {
    if let noColor = env["NO_COLOR"], !noColor.isEmpty { return .none }
    let term = (env["TERM"] ?? "").lowercased()
    if term == "dumb" { return .none }
    let colorTerm = (env["COLORTERM"] ?? "").lowercased()
    if colorTerm == "truecolor" || colorTerm == "24bit" || term.hasSuffix("-direct") { return .truecolor }
    if term.contains("256color") { return .palette256 }
    return .palette16
  }

  /// True when the mode shows colours.
  public var hasColor: Bool { self != .none }
}

/// The xterm default palette and nearest-colour searches in it.
public enum XTermPalette {
  /// The 16 ANSI colours as xterm shows them by default.
  public static let ansi16: [(r: UInt8, g: UInt8, b: UInt8)] = [
    (0, 0, 0), (205, 0, 0), (0, 205, 0), (205, 205, 0), (0, 0, 238), (205, 0, 205), (0, 205, 205),
    (229, 229, 229), (127, 127, 127), (255, 0, 0), (0, 255, 0), (255, 255, 0), (92, 92, 255),
    (255, 0, 255), (0, 255, 255), (255, 255, 255),
  ]

  /// The six levels of each axis of the 6×6×6 colour cube (indices 16–231).
  public static let cubeLevels: [UInt8] = [0, 95, 135, 175, 215, 255]

  /// RGB of palette entry `index`.
  public static func rgb(ofIndex index: UInt8) -> (r: UInt8, g: UInt8, b: UInt8) {
    let n = Int(index)
    if n < 16 { return ansi16[n] }
    if n >= 232 {
      let v = UInt8(8 + 10 * (n - 232))
      return (v, v, v)
    }
    let c = n - 16
    return (cubeLevels[c / 36], cubeLevels[(c / 6) % 6], cubeLevels[c % 6])
  }

  /// Nearest entry of the 256-colour palette among the cube (16–231) and the greys (232–255), choosing
  /// like tmux's `colour_find_rgb`: the cube cell of each component, or the nearest grey when it is closer.
  public static func nearest256(_ r: UInt8, _ g: UInt8, _ b: UInt8) -> UInt8 {
    func cubeIndex(_ v: Int) -> Int { v < 48 ? 0 : (v < 114 ? 1 : (v - 35) / 40) }
    let (ri, gi, bi) = (Int(r), Int(g), Int(b))
    let (qr, qg, qb) = (cubeIndex(ri), cubeIndex(gi), cubeIndex(bi))
    let (cr, cg, cb) = (Int(cubeLevels[qr]), Int(cubeLevels[qg]), Int(cubeLevels[qb]))
    let cube = 16 + 36 * qr + 6 * qg + qb
    if cr == ri && cg == gi && cb == bi { return UInt8(cube) }
    let average = (ri + gi + bi) / 3
    let greyIndex = average > 238 ? 23 : max(0, (average - 3) / 10)
    let grey = 8 + 10 * greyIndex
    let cubeDistance = squaredDistance(cr, cg, cb, ri, gi, bi)
    let greyDistance = squaredDistance(grey, grey, grey, ri, gi, bi)
    return UInt8(greyDistance < cubeDistance ? 232 + greyIndex : cube)
  }

  /// Nearest of the 16 ANSI colours (Euclidean RGB distance; the lower index wins ties).
  public static func nearest16(_ r: UInt8, _ g: UInt8, _ b: UInt8) -> UInt8 {
    var best = 0
    var bestDistance = Int.max
    for (i, c) in ansi16.enumerated() {
      let d = squaredDistance(Int(c.r), Int(c.g), Int(c.b), Int(r), Int(g), Int(b))
      if d < bestDistance {
        best = i
        bestDistance = d
      }
    }
    return UInt8(best)
  }

  static func squaredDistance(_ r1: Int, _ g1: Int, _ b1: Int, _ r2: Int, _ g2: Int, _ b2: Int) -> Int {
    (r1 - r2) * (r1 - r2) + (g1 - g2) * (g1 - g2) + (b1 - b2) * (b1 - b2)
  }
}
