// TerminalUI: the one place that sets up and restores the terminal (locale, ncurses, signal and crash
// handlers, ESC delay, mouse reporting) and the thin backend that puts a CellGrid on it (wide chars,
// colour pairs).

import CNCurses
import CTerminal

/// Errors of the ncurses backend.
public struct NCursesError: Error, CustomStringConvertible, Sendable {
  /// What failed and what to do about it.
  public let message: String

  public var description: String { message }
}

/// The terminal as an ncurses screen: draws `CellGrid`s with wide characters and a colour-pair cache.
///
/// Create one at start-up (it saves the terminal's settings and installs the SIGINT/SIGTERM/SIGHUP flag
/// handlers and the crash handlers that restore them, calls `setlocale(LC_ALL, "")`, `newterm`, `cbreak`,
/// `noecho`, `keypad`, `start_color` and `use_default_colors`, sets a short ESC delay and, when asked,
/// turns on mouse reporting with drag events), call `draw` for every frame and `end` (or let it go out of
/// scope) to undo all of it. Input and the event loop are left to the caller (`getch`, `timeout`,
/// `KEY_RESIZE` via `posescope_key_resize()`, `posescope_take_signal()`). Not thread-safe: use from one
/// thread.
public final class NCursesScreen {
  /// The colour mode actually used (the requested one, limited by what the terminal reports).
  public private(set) var colorMode: ColorMode
  private var screen: OpaquePointer?
  private var pairs: [Int64: Int32] = [:]
  private var nextPair: Int32 = 1
  private var maxPairs: Int32 = 0
  private var colorCount = 0
  private var active = false
  /// Whether mouse events are reported (asked for, and the terminal supports it).
  public private(set) var mouseEnabled = false

  /// Starts curses mode. `requested` is the wanted colour mode (e.g. from `--color` or
  /// `ColorMode.detect`); the terminal may force fewer colours. `mouse`: report clicks, drags and the
  /// wheel.
  ///
  /// - Throws: `NCursesError` when the terminal cannot be initialised (unknown or unset `TERM`).
  public init(requested: ColorMode, mouse: Bool = false) throws {
    colorMode = .none
    posescope_install_signal_handlers()
    posescope_setlocale_all()
    guard let s = posescope_newterm() else {
      posescope_restore_signal_handlers()
      throw NCursesError(
        message: "cannot initialise the terminal with ncurses: check that TERM names a known terminal "
          + "(e.g. TERM=xterm-256color) and that standard input and output are a terminal")
    }
    screen = s
    active = true
    cbreak()
    noecho()
    keypad(posescope_stdscr(), true)
    curs_set(0)
    if requested != .none && has_colors() {
      start_color()
      use_default_colors()
      colorCount = Int(posescope_colors())
      maxPairs = Int32(max(0, min(Int(Int32.max), Int(posescope_color_pairs())) - 1))
      colorMode = Self.effectiveMode(requested: requested, colors: colorCount)
    }
    posescope_set_escdelay(25)
    if mouse && posescope_enable_mouse() != 0 {
      mouseEnabled = true
      // Button-event tracking (drag reports) on top of what ncurses asked for.
      refresh()
      posescope_emit("\u{1B}[?1002h")
    }
  }

  deinit { end() }

  /// The colour mode a terminal with `colors` colours can show for a requested mode: truecolor needs a
  /// direct-colour terminal (2²⁴ colours), 256 needs 256, anything else with at least 8 colours gets 16.
  public static func effectiveMode(requested: ColorMode, colors: Int) -> ColorMode {
    guard requested != .none, colors >= 8 else { return .none }
    if requested == .truecolor && colors >= 1 << 24 { return .truecolor }
    if requested != .palette16 && colors >= 256 { return .palette256 }
    return .palette16
  }

  /// The SIGINT/SIGTERM/SIGHUP that arrived since the last call (0: none), and clears it.
  public func takeSignal() -> Int32 { posescope_take_signal() }

  /// The terminal size in cells.
  public var size: (width: Int, height: Int) {
    var rows: Int32 = 0
    var cols: Int32 = 0
    posescope_getmaxyx(posescope_stdscr(), &rows, &cols)
    return (Int(cols), Int(rows))
  }

  /// Draws `grid` from the top-left corner (cells beyond the terminal are dropped) and refreshes.
  public func draw(_ grid: CellGrid) {
    guard active else { return }
    if Int32(pairs.count) > maxPairs * 3 / 4 {
      pairs.removeAll(keepingCapacity: true)
      nextPair = 1
    }
    let (width, height) = size
    let bold = posescope_attr_bold()
    let dim = posescope_attr_dim()
    let reverse = posescope_attr_reverse()
    let underline = posescope_attr_underline()
    for y in 0..<min(height, grid.height) {
      for x in 0..<min(width, grid.width) {
        let cell = grid[x, y]
        if cell.isContinuation { continue }
        var attrs = posescope_attr_normal()
        if cell.attributes.contains(.bold) { attrs |= bold }
        if cell.attributes.contains(.dim) { attrs |= dim }
        if cell.attributes.contains(.reverse) { attrs |= reverse }
        if cell.attributes.contains(.underline) { attrs |= underline }
        let (fg, fgBright) = colorNumber(cell.foreground)
        let (bg, _) = colorNumber(cell.background)
        if fgBright { attrs |= bold }
        let pair = pairNumber(fg: fg, bg: bg)
        _ = posescope_mvadd_cell(Int32(y), Int32(x), Int32(bitPattern: cell.scalar.value), attrs, pair)
      }
    }
    refresh()
  }

  /// Leaves curses mode and restores the terminal (safe to call more than once): mouse reporting off,
  /// `endwin`, the default SIGINT/SIGTERM/SIGHUP handlers back.
  public func end() {
    guard active else { return }
    active = false
    if mouseEnabled {
      posescope_emit("\u{1B}[?1002l")
      posescope_disable_mouse()
      mouseEnabled = false
    }
    endwin()
    posescope_restore_signal_handlers()
    if let screen { delscreen(screen) }
    screen = nil
  }

  /// The curses colour number of a colour (−1 for the default) and whether it needs bold to look bright
  /// (ANSI 8–15 on an 8-colour terminal).
  private func colorNumber(_ color: Color) -> (Int32, Bool) {
    let q = color.quantized(to: colorMode)
    switch q {
    case .terminalDefault:
      return (-1, false)
    case .indexed(let n):
      if colorMode == .palette16 && colorCount < 16 && n >= 8 { return (Int32(n - 8), true) }
      return (Int32(n), false)
    case .rgb(let r, let g, let b):
      return (Int32(r) << 16 | Int32(g) << 8 | Int32(b), false)
    }
  }

  /// The colour pair for (fg, bg), defined on first use; 0 (default colours) when the terminal has no
  /// colour or the pair table is full.
  private func pairNumber(fg: Int32, bg: Int32) -> Int32 {
    guard colorMode != .none, fg != -1 || bg != -1 else { return 0 }
    let key = Int64(fg) << 32 | Int64(UInt32(bitPattern: bg))
    if let p = pairs[key] { return p }
    guard nextPair <= maxPairs else { return 0 }
    let p = nextPair
    guard init_extended_pair(p, fg, bg) != posescope_err() else { return 0 }
    pairs[key] = p
    nextPair += 1
    return p
  }
}
