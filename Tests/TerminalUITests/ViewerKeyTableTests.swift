// TerminalUITests: the viewer's key table (help coverage, no duplicate bindings, dispatch) and key decoding.

import PoseScope
import Testing

@testable import TerminalUI

@Test func everyBindingIsInTheHelp() {
  for glyphs in GlyphSet.allCases {
    let help = KeyTable.helpLines(glyphs: glyphs)
    for b in KeyTable.bindings {
      // The binding's line is in its context's section: "  <keys>  <name> — <help>".
      guard let start = help.firstIndex(of: b.context.title) else {
        Issue.record("no section \(b.context.title)")
        continue
      }
      let section = help[(start + 1)...].prefix { !$0.isEmpty }
      var label = b.keyLabel(glyphs: glyphs)
      var text = b.name + (glyphs == .unicode ? " — " : " - ") + b.help
      if glyphs == .ascii {
        label = ASCIIText.fold(label)
        text = ASCIIText.fold(text)
      }
      let line = section.first { $0.hasPrefix("  " + label + " ") && $0.hasSuffix(text) }
      #expect(line != nil, "no help line for \(b.name) (\(label)) in \(b.context)")
    }
    // One section per context, in the order of the table's contexts.
    for context in KeyContext.allCases { #expect(help.contains(context.title)) }
    if glyphs == .ascii { #expect(help.allSatisfy { $0.unicodeScalars.allSatisfy(\.isASCII) }) }
  }
  // The help screen itself lists them (the first lines fit a 160×48 frame).
  var grid = CellGrid(width: 160, height: 48)
  HelpOverlay.render(into: &grid, scroll: 0, glyphs: .unicode)
  let text = grid.lines.joined(separator: "\n")
  #expect(text.contains("PoseScope keys"))
  #expect(text.contains("orbit left") && text.contains("quit") && text.contains("Ctrl-L"))
}

@Test func noKeyIsBoundTwice() {
  // Within a context every key has one binding, and no key is both global and pane-specific (so a
  // focused pane never silently hides a global key).
  var seen: [KeyContext: Set<Key>] = [:]
  for b in KeyTable.bindings {
    for key in b.keys {
      #expect(!(seen[b.context]?.contains(key) ?? false), "\(key) bound twice in \(b.context)")
      seen[b.context, default: []].insert(key)
    }
  }
  let global = seen[.global] ?? []
  for context in KeyContext.allCases where context != .global {
    let overlap = global.intersection(seen[context] ?? [])
    #expect(overlap.isEmpty, "\(overlap) are global and \(context) keys")
  }
  // Names are unique within a context too (they label the help lines).
  for context in KeyContext.allCases {
    let names = KeyTable.bindings.filter { $0.context == context }.map(\.name)
    #expect(Set(names).count == names.count)
  }
}

@Test func dispatchFollowsTheTable() {
  for b in KeyTable.bindings {
    let panes: [Pane] =
      switch b.context {
      case .global: [.browser, .skeleton, .boneTable]
      case .browser: [.browser]
      case .skeleton: [.skeleton]
      case .boneTable: [.boneTable]
      }
    for pane in panes {
      for key in b.keys {
        #expect(KeyTable.action(for: key, focus: pane) == b.action, "\(key) in \(pane)")
      }
    }
  }
  // The arrows split by focus: ↑/↓ move the list in the browser and orbit in the 3D pane; ←/→ orbit
  // everywhere.
  #expect(KeyTable.action(for: .down, focus: .browser) == .selectNext)
  #expect(KeyTable.action(for: .char("j"), focus: .skeleton) == .orbitDown)
  #expect(KeyTable.action(for: .up, focus: .boneTable) == .scrollUp)
  #expect(KeyTable.action(for: .left, focus: .browser) == .orbitLeft)
  #expect(KeyTable.action(for: .char("l"), focus: .boneTable) == .orbitRight)
  #expect(KeyTable.action(for: .char("q"), focus: .skeleton) == .quit)
  #expect(KeyTable.action(for: .function(10), focus: .browser) == .quit)
  #expect(KeyTable.action(for: .function(1), focus: .browser) == .help)
  #expect(KeyTable.action(for: .ctrl("l"), focus: .browser) == .redraw)
  #expect(KeyTable.action(for: .char("3"), focus: .browser) == .preset(.top))
  #expect(KeyTable.action(for: .char("x"), focus: .browser) == nil)
  #expect(KeyTable.action(for: .enter, focus: .skeleton) == nil)
}

@Test func theIssuesKeysAreAllBound() {
  // Keys named in issue 3, with the action each must reach in at least one pane.
  let required: [(Key, ViewerAction)] = [
    (.up, .selectPrevious), (.down, .selectNext), (.char("k"), .selectPrevious), (.char("j"), .selectNext),
    (.pageUp, .pageUp), (.pageDown, .pageDown), (.char("g"), .selectFirst), (.char("G"), .selectLast),
    (.enter, .open), (.char("/"), .startFilter), (.left, .orbitLeft), (.right, .orbitRight),
    (.up, .orbitUp), (.down, .orbitDown), (.char("h"), .orbitLeft), (.char("l"), .orbitRight),
    (.char("k"), .orbitUp), (.char("j"), .orbitDown), (.char("+"), .zoomIn), (.char("-"), .zoomOut),
    (.char("0"), .resetView), (.char("1"), .preset(.front)), (.char("2"), .preset(.side)),
    (.char("3"), .preset(.top)), (.char("4"), .preset(.back)), (.char("o"), .toggleProjection),
    (.char("a"), .toggleAutoSpin), (.char("s"), .nextSource), (.char("t"), .toggleSkeleton),
    (.char("r"), .nextReference), (.char(" "), .togglePlay), (.char(","), .stepBack),
    (.char("."), .stepForward), (.char("["), .jumpBack), (.char("]"), .jumpForward), (.char("e"), .export),
    (.ctrl("l"), .redraw), (.char("q"), .quit), (.function(10), .quit), (.char("?"), .help),
    (.function(1), .help), (.tab, .focusNext),
  ]
  for (key, action) in required {
    let reached = [Pane.browser, .skeleton, .boneTable].contains {
      KeyTable.action(for: key, focus: $0) == action
    }
    #expect(reached, "\(key) does not reach \(action)")
  }
}

@Test func cursesCharactersBecomeKeys() {
  #expect(Viewer.keyFromCharacter(9) == .tab)
  #expect(Viewer.keyFromCharacter(10) == .enter)
  #expect(Viewer.keyFromCharacter(13) == .enter)
  #expect(Viewer.keyFromCharacter(27) == .escape)
  #expect(Viewer.keyFromCharacter(127) == .backspace)
  #expect(Viewer.keyFromCharacter(12) == .ctrl("l"))
  #expect(Viewer.keyFromCharacter(32) == .char(" "))
  #expect(Viewer.keyFromCharacter(0x47) == .char("G"))
  #expect(Viewer.keyFromCharacter(0xE9) == .char("é"))
  #expect(Viewer.keyFromCharacter(0) == nil)
  #expect(Viewer.keyFromCharacter(0xD800) == nil)
  #expect(Key.ctrl("l").label() == "Ctrl-L")
  #expect(Key.char(" ").label() == "Space")
  #expect(Key.up.label(glyphs: .ascii) == "Up" && Key.up.label() == "↑")
}

@Test func cursesMouseStatesBecomeEvents() {
  // ncurses' button bits (as getmouse reports them) to viewer mouse events.
  #expect(Viewer.mouseEvent(x: 3, y: 4, bits: Viewer.mouseBits.press) == .press(x: 3, y: 4))
  #expect(Viewer.mouseEvent(x: 3, y: 4, bits: Viewer.mouseBits.release) == .release(x: 3, y: 4))
  #expect(Viewer.mouseEvent(x: 3, y: 4, bits: Viewer.mouseBits.motion) == .drag(x: 3, y: 4))
  #expect(Viewer.mouseEvent(x: 3, y: 4, bits: Viewer.mouseBits.wheelUp) == .wheelUp(x: 3, y: 4))
  if Viewer.mouseBits.wheelDown != 0 {
    #expect(Viewer.mouseEvent(x: 3, y: 4, bits: Viewer.mouseBits.wheelDown) == .wheelDown(x: 3, y: 4))
  }
  #expect(Viewer.mouseEvent(x: 3, y: 4, bits: 0) == nil)
}
