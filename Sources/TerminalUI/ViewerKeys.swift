// TerminalUI: the viewer's keys, actions and the one key table that drives dispatch and the help screen.

/// A key press, independent of ncurses (the interactive loop translates curses codes to these).
public enum Key: Hashable, Sendable {
  /// A printable character (including space).
  case char(Unicode.Scalar)
  /// Ctrl with a letter (lowercase), e.g. `.ctrl("l")` for Ctrl-L.
  case ctrl(Unicode.Scalar)
  /// Arrow keys.
  case up, down, left, right
  /// Page keys and line ends.
  case pageUp, pageDown, home, end
  /// Enter / Return.
  case enter
  /// Tab and Shift-Tab.
  case tab, backTab
  /// Escape.
  case escape
  /// Backspace (and Delete when it sends DEL).
  case backspace
  /// A function key F1…F12.
  case function(Int)

  /// How the key is written in the help screen: `↑`, `PgUp`, `Ctrl-L`, `F1`, `Space`, `j`.
  public func label(glyphs: GlyphSet = .unicode) -> String {
    let unicode = glyphs == .unicode
    switch self {
    case .char(" "): return "Space"
    case .char(let c): return String(c)
    case .ctrl(let c): return "Ctrl-" + String(c).uppercased()
    case .up: return unicode ? "↑" : "Up"
    case .down: return unicode ? "↓" : "Down"
    case .left: return unicode ? "←" : "Left"
    case .right: return unicode ? "→" : "Right"
    case .pageUp: return "PgUp"
    case .pageDown: return "PgDn"
    case .home: return "Home"
    case .end: return "End"
    case .enter: return "Enter"
    case .tab: return "Tab"
    case .backTab: return "S-Tab"
    case .escape: return "Esc"
    case .backspace: return "Bksp"
    case .function(let n): return "F\(n)"
    }
  }
}

/// Where a binding applies: everywhere, or only while a pane has the keyboard focus.
public enum KeyContext: String, CaseIterable, Sendable {
  /// Any pane.
  case global
  /// The browser pane has the focus.
  case browser
  /// The 3D skeleton pane has the focus.
  case skeleton
  /// The bone-length table has the focus.
  case boneTable

  /// The context of a focused pane (panes without own bindings use only the global ones).
  public static func of(_ pane: Pane) -> KeyContext {
    switch pane {
    case .browser: return .browser
    case .skeleton: return .skeleton
    case .boneTable: return .boneTable
    case .image, .status: return .global
    }
  }

  /// Section title in the help screen.
  public var title: String {
    switch self {
    case .global: return "Everywhere"
    case .browser: return "Browser pane (focused)"
    case .skeleton: return "3D pane (focused)"
    case .boneTable: return "Bone table (focused)"
    }
  }
}

/// Everything a key can do in the viewer.
public enum ViewerAction: Hashable, Sendable {
  /// Browser: previous / next item, a page up / down, first / last item.
  case selectPrevious, selectNext, pageUp, pageDown, selectFirst, selectLast
  /// Browser: open the selected item in the 3D pane (moves the focus there).
  case open
  /// Start typing a name filter for the browser.
  case startFilter
  /// Turn the 3D camera about the pelvis.
  case orbitLeft, orbitRight, orbitUp, orbitDown
  /// Zoom the 3D view.
  case zoomIn, zoomOut
  /// Back to the front view, zoom 1.
  case resetView
  /// A standard view.
  case preset(Camera3D.Preset)
  /// Orthographic ↔ perspective.
  case toggleProjection
  /// Keep turning the camera.
  case toggleAutoSpin
  /// Next 3D source (estimator).
  case nextSource
  /// H36M-17 ↔ BlazePose-33.
  case toggleSkeleton
  /// Next source of reference bone lengths.
  case nextReference
  /// Raw ↔ bone-length-consistent 3D (one set of subject bone lengths for the whole sequence).
  case toggleConsistent
  /// Sequences: play / pause, one frame back / forward, ten frames back / forward.
  case togglePlay, stepBack, stepForward, jumpBack, jumpForward
  /// Bone table: scroll.
  case scrollUp, scrollDown, scrollPageUp, scrollPageDown, scrollTop, scrollBottom
  /// Keyboard focus to the next / previous pane.
  case focusNext, focusPrevious
  /// Write the current frame or sequence as JSON.
  case export
  /// Repaint the whole screen.
  case redraw
  /// Show or hide the help screen.
  case help
  /// Leave the viewer.
  case quit
}

/// One line of the key table: the keys, a short name, the help text and the action.
public struct KeyBinding: Sendable {
  /// The keys that trigger the action (the first is the main one).
  public var keys: [Key]
  /// Where the binding applies.
  public var context: KeyContext
  /// A short name, e.g. `zoom in`.
  public var name: String
  /// One help line.
  public var help: String
  /// What happens.
  public var action: ViewerAction

  /// Creates a binding.
  public init(_ keys: [Key], _ context: KeyContext, _ name: String, _ help: String, _ action: ViewerAction) {
    self.keys = keys
    self.context = context
    self.name = name
    self.help = help
    self.action = action
  }

  /// The keys as shown in the help: `↑ k`, `Ctrl-L`.
  public func keyLabel(glyphs: GlyphSet = .unicode) -> String {
    keys.map { $0.label(glyphs: glyphs) }.joined(separator: " ")
  }
}

/// The viewer's key table: the single source of dispatch and of the `?`/F1 help screen.
public enum KeyTable {
  /// Every binding, in help order. Context bindings win over global ones for the focused pane.
  public static let bindings: [KeyBinding] = [
    // Browser.
    KeyBinding(
      [.up, .char("k")], .browser, "previous", "select the previous image or folder", .selectPrevious),
    KeyBinding([.down, .char("j")], .browser, "next", "select the next image or folder", .selectNext),
    KeyBinding([.pageUp], .browser, "page up", "one page up in the list", .pageUp),
    KeyBinding([.pageDown], .browser, "page down", "one page down in the list", .pageDown),
    KeyBinding([.char("g"), .home], .browser, "first", "first item", .selectFirst),
    KeyBinding([.char("G"), .end], .browser, "last", "last item", .selectLast),
    KeyBinding([.enter], .browser, "open", "open the item in the 3D pane (focus it)", .open),
    // Skeleton.
    KeyBinding([.up, .char("k")], .skeleton, "orbit up", "raise the camera 15°", .orbitUp),
    KeyBinding([.down, .char("j")], .skeleton, "orbit down", "lower the camera 15°", .orbitDown),
    KeyBinding([.pageUp], .skeleton, "zoom in", "zoom in", .zoomIn),
    KeyBinding([.pageDown], .skeleton, "zoom out", "zoom out", .zoomOut),
    // Bone table.
    KeyBinding([.up, .char("k")], .boneTable, "scroll up", "scroll the bone rows up", .scrollUp),
    KeyBinding([.down, .char("j")], .boneTable, "scroll down", "scroll the bone rows down", .scrollDown),
    KeyBinding([.pageUp], .boneTable, "page up", "one page of bone rows up", .scrollPageUp),
    KeyBinding([.pageDown], .boneTable, "page down", "one page of bone rows down", .scrollPageDown),
    KeyBinding([.char("g"), .home], .boneTable, "top", "first bone row", .scrollTop),
    KeyBinding([.char("G"), .end], .boneTable, "bottom", "last bone row", .scrollBottom),
    // Everywhere: camera.
    KeyBinding(
      [.left, .char("h")], .global, "orbit left", "turn the skeleton 15° about the pelvis", .orbitLeft),
    KeyBinding(
      [.right, .char("l")], .global, "orbit right", "turn the skeleton 15° the other way", .orbitRight),
    KeyBinding([.char("+"), .char("=")], .global, "zoom in", "zoom the 3D view in", .zoomIn),
    KeyBinding([.char("-"), .char("_")], .global, "zoom out", "zoom the 3D view out", .zoomOut),
    KeyBinding([.char("0")], .global, "reset", "front view, zoom 1", .resetView),
    KeyBinding([.char("1")], .global, "front view", "view from the camera", .preset(.front)),
    KeyBinding([.char("2")], .global, "side view", "view from the side", .preset(.side)),
    KeyBinding([.char("3")], .global, "top view", "view from above", .preset(.top)),
    KeyBinding([.char("4")], .global, "back view", "view from behind", .preset(.back)),
    KeyBinding([.char("o")], .global, "projection", "orthographic / perspective", .toggleProjection),
    KeyBinding([.char("a")], .global, "auto-spin", "keep turning the skeleton", .toggleAutoSpin),
    // Everywhere: what is shown.
    KeyBinding([.char("s")], .global, "source", "next 3D source (estimator)", .nextSource),
    KeyBinding([.char("t")], .global, "skeleton", "H36M-17 / BlazePose-33", .toggleSkeleton),
    KeyBinding(
      [.char("c")], .global, "consistent", "raw 3D / consistent bones (the subject's lengths in every frame)",
      .toggleConsistent),
    KeyBinding(
      [.char("r")], .global, "reference", "reference lengths: ground truth / median / anthropometric",
      .nextReference),
    // Everywhere: sequences.
    KeyBinding([.char(" ")], .global, "play", "play / pause a frame folder or video", .togglePlay),
    KeyBinding([.char(",")], .global, "frame back", "one frame back", .stepBack),
    KeyBinding([.char(".")], .global, "frame forward", "one frame forward", .stepForward),
    KeyBinding([.char("[")], .global, "back 10", "ten frames back", .jumpBack),
    KeyBinding([.char("]")], .global, "forward 10", "ten frames forward", .jumpForward),
    // Everywhere: the rest.
    KeyBinding([.tab], .global, "focus", "focus the next pane", .focusNext),
    KeyBinding([.backTab], .global, "focus back", "focus the previous pane", .focusPrevious),
    KeyBinding(
      [.char("/")], .global, "filter", "filter the list by name (Enter keeps, Esc clears)", .startFilter),
    KeyBinding([.char("e")], .global, "export", "write the frame / sequence as JSON", .export),
    KeyBinding([.ctrl("l")], .global, "redraw", "repaint the screen", .redraw),
    KeyBinding([.char("?"), .function(1)], .global, "help", "this screen", .help),
    KeyBinding([.char("q"), .function(10)], .global, "quit", "leave the viewer", .quit),
  ]

  /// The action of `key` when `pane` has the focus: the focused pane's binding, else the global one.
  public static func action(for key: Key, focus pane: Pane) -> ViewerAction? {
    let context = KeyContext.of(pane)
    if context != .global, let b = bindings.first(where: { $0.context == context && $0.keys.contains(key) }) {
      return b.action
    }
    return bindings.first { $0.context == .global && $0.keys.contains(key) }?.action
  }

  /// Lines that are not key bindings but belong in the help (mouse, filter typing).
  public static let notes: [String] = [
    "Mouse: drag in the 3D pane to orbit, wheel to zoom,",
    "  click a pane to focus it or a file to select it.",
    "Filter (/): type to narrow the list, Bksp deletes,",
    "  Enter keeps the filter, Esc clears it.",
  ]

  /// The help screen's lines: a section per context with `keys  name — help` rows, then the notes.
  public static func helpLines(glyphs: GlyphSet = .unicode) -> [String] {
    let keyWidth = bindings.map { TextWidth.columns(of: $0.keyLabel(glyphs: glyphs)) }.max() ?? 8
    let dash = glyphs == .unicode ? "—" : "-"
    var lines: [String] = []
    for context in [KeyContext.global, .browser, .skeleton, .boneTable] {
      let rows = bindings.filter { $0.context == context }
      guard !rows.isEmpty else { continue }
      if !lines.isEmpty { lines.append("") }
      lines.append(context.title)
      for b in rows {
        lines.append(
          "  " + NumberFormat.padRight(b.keyLabel(glyphs: glyphs), keyWidth) + "  " + b.name + " \(dash) "
            + b.help)
      }
    }
    lines.append("")
    lines += notes
    return glyphs == .unicode ? lines : lines.map(ASCIIText.fold)
  }
}
