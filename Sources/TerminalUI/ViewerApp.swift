// TerminalUI: the interactive viewer (ncurses event loop, signals, mouse) and its headless `--once` mode.

import CNCurses
import CTerminal
import Foundation
import PoseScope

/// How an interactive session ended.
public enum ViewerOutcome: Sendable, Equatable {
  /// The user quit.
  case quit
  /// A signal (SIGINT, SIGTERM, SIGHUP) ended it; the terminal is already restored.
  case signal(Int32)
}

/// The error the `POSESCOPE_TEST_DIE=throw` test hook throws.
struct ViewerTestFailure: Error, CustomStringConvertible {
  var message: String
  var description: String { message }
}

/// An input event of the loop.
enum InputEvent {
  case key(Key)
  case mouse(MouseEvent)
  case resize
}

/// The viewer: `run` is the full-screen program, `renderOnce` its headless single frame.
public enum Viewer {
  /// Runs the interactive viewer on `items` until the user quits or a signal arrives. The terminal is
  /// restored on every way out (quit, thrown error, SIGINT/SIGTERM/SIGHUP; on a crash a last-resort
  /// handler resets it). `glyphs` nil picks Unicode when the locale is UTF-8.
  ///
  /// - Throws: `NCursesError` when the terminal cannot be used.
  public static func run(
    items: [MediaItem], settings: ViewerSettings, requestedColor: ColorMode, glyphs: GlyphSet? = nil,
    pipeline: PipelineOptions = PipelineOptions()
  ) throws -> ViewerOutcome {
    let screen = try NCursesScreen(requested: requestedColor, mouse: true)
    defer { screen.end() }
    let glyphs = glyphs ?? (posescope_codeset_is_utf8() != 0 ? .unicode : .ascii)

    let cache = ThumbnailCache()
    let service = EstimationService(items: items, thumbnails: cache, options: pipeline)
    let loader = ThumbnailLoader(items: items, cache: cache, videoTools: pipeline.videoTools)
    let presenter = ViewerPresenter(items: items, settings: settings, store: service, thumbnails: cache)
    var state = presenter.initialState()
    if pipeline.lifter != nil { state.availableSources = PoseSource.allCases }
    if let s = state.selected { service.focus(item: s) }
    service.start()
    loader.start()
    defer {
      // Both threads finish what they are on (one frame) before the process may exit.
      loader.stop()
      service.stopAndWait()
      loader.stopAndWait()
    }

    var grid = CellGrid(width: 0, height: 0)
    var info: FrameInfo?
    var dirty = true
    var seen = (generation: -1, loaded: -1)
    var lastTick = now()
    var nextFrameDue: Double?
    var message: (text: String, since: Double)?
    var tracker = MouseTracker()
    let dieHook = ProcessInfo.processInfo.environment["POSESCOPE_TEST_DIE"]

    while true {
      let caught = screen.takeSignal()
      if caught != 0 { return .signal(caught) }
      let t = now()

      if let s = state.selected {
        service.focus(item: s)
        loader.want(wishList(state: state))
      }
      let current = (service.currentGeneration, loader.loaded)
      if current != seen {
        seen = current
        dirty = true
      }

      // Playback: advance at the folder's (the video's) rate, but only onto frames already estimated
      // (buffering).
      if state.playing, let s = state.selected, let f = state.currentFrame {
        let interval = 1 / settings.playbackFPS(for: items[s])
        let due = nextFrameDue ?? t + interval
        if t >= due {
          let next = (f + 1) % items[s].frameCount
          let failed: Bool
          if case .failed = service.state { failed = true } else { failed = false }
          if failed || service.estimate(item: s, frame: next) != nil {
            state.advancePlayback()
            dirty = true
          }
          nextFrameDue = max(due + interval, t)
        } else {
          nextFrameDue = due
        }
      } else {
        nextFrameDue = nil
      }
      if state.autoSpin {
        state.spin(seconds: t - lastTick)
        dirty = true
      }
      lastTick = t
      if let m = state.message {
        if message?.text != m { message = (m, t) }
        if let since = message?.since, t - since > 4 {
          state.message = nil
          message = nil
          dirty = true
        }
      }
      switch service.state {
      case .working, .loading:
        let phase = Int(t * 10)
        if phase != presenter.spinnerPhase {
          presenter.spinnerPhase = phase
          dirty = true
        }
      default: break
      }

      if dirty {
        let (w, h) = screen.size
        if grid.width != w || grid.height != h { grid = CellGrid(width: w, height: h) }
        let content = presenter.content(for: &state, width: grid.width, height: grid.height, glyphs: glyphs)
        info = FrameRenderer.render(
          content, into: &grid, options: RenderOptions(colorMode: screen.colorMode, glyphs: glyphs))
        if state.showHelp {
          state.helpScroll = HelpOverlay.render(into: &grid, scroll: state.helpScroll, glyphs: glyphs)
        }
        screen.draw(grid)
        dirty = false
        if let dieHook, let s = state.selected,
          service.estimate(item: s, frame: state.currentFrame ?? 0) != nil
        {
          try dieForTesting(dieHook)
        }
      }

      var wait = 50
      if let due = nextFrameDue { wait = max(1, min(wait, Int((due - now()) * 1000))) }
      if state.autoSpin { wait = min(wait, 33) }
      posescope_set_timeout(Int32(wait))
      var handled = 0
      while let event = readEvent() {
        dirty = true
        switch event {
        case .resize:
          grid = CellGrid(width: 0, height: 0)
        case .mouse(let m):
          if let layout = info?.layout {
            tracker.handle(m, layout: layout, browserScroll: presenter.browserScroll, state: &state)
          }
        case .key(let key):
          if state.showHelp {
            switch key {
            case .up, .char("k"): state.helpScroll = max(0, state.helpScroll - 1)
            case .down, .char("j"): state.helpScroll += 1
            case .pageUp: state.helpScroll = max(0, state.helpScroll - 10)
            case .pageDown: state.helpScroll += 10
            default: state.showHelp = false
            }
          } else if state.editingFilter && state.handleFilterKey(key) {
            break
          } else if let action = KeyTable.action(for: key, focus: state.focus) {
            switch state.apply(action) {
            case .quit: return .quit
            case .fullRedraw: posescope_invalidate()
            case .export:
              do {
                state.message = try presenter.export(state: state)
              } catch {
                state.message = error.description
              }
            case .none: break
            }
          } else {
            state.message = "\(key.label(glyphs: glyphs)) does nothing here (? shows the keys)"
          }
        }
        handled += 1
        // Drain what is already queued (key repeat, mouse motion) before drawing again.
        if handled >= 64 { break }
        posescope_set_timeout(0)
      }
    }
  }

  /// Test hook of the end-to-end test (`POSESCOPE_TEST_DIE`, read once the first pose is on screen):
  /// `throw` throws out of the loop, `trap` hits a Swift runtime trap (an index out of range), so the test can
  /// check the terminal comes back from both. Any other value does nothing.
  static func dieForTesting(_ how: String) throws {
    switch how {
    case "throw":
      throw ViewerTestFailure(message: "POSESCOPE_TEST_DIE=throw: an error thrown inside the viewer's loop")
    case "trap":
      let empty = [Int](repeating: 0, count: Int(getpid() & 0))
      _ = empty[Int(getpid() & 1) + 1]  // out of range: the Swift runtime traps (SIGILL)
    default:
      break
    }
  }

  /// Ends the process with `signal` after the terminal was restored (default handler, then raise).
  public static func exit(bySignal signal: Int32) -> Never {
    posescope_restore_signal_handlers()
    raise(signal)
    Foundation.exit(128 + signal)
  }

  /// The frames whose display images are wanted, most wanted first: the current frame, then the next
  /// few (more while playing) and the previous one; for images, the neighbouring items.
  static func wishList(state: ViewerState) -> [ThumbnailCache.Key] {
    guard let s = state.selected, let f = state.currentFrame else { return [] }
    let item = state.items[s]
    var keys = [ThumbnailCache.Key(item: s, frame: f)]
    if item.isSequence {
      let ahead = state.playing ? 12 : 4
      for d in 1...ahead where f + d < item.frameCount { keys.append(.init(item: s, frame: f + d)) }
      if f > 0 { keys.append(.init(item: s, frame: f - 1)) }
    } else {
      let shown = state.visible
      if let p = shown.firstIndex(of: s) {
        for q in [p + 1, p - 1] where shown.indices.contains(q) {
          keys.append(.init(item: shown[q], frame: state.frameIndex[shown[q]]))
        }
      }
    }
    return keys
  }

  static func now() -> Double { Double(DispatchTime.now().uptimeNanoseconds) / 1e9 }

  /// Mouse events read but not handed out yet (UI thread only).
  nonisolated(unsafe) static var pendingMouse: [MouseEvent] = []

  /// The next input event, nil when the timeout passed (or for input the viewer ignores).
  static func readEvent() -> InputEvent? {
    if !pendingMouse.isEmpty { return .mouse(pendingMouse.removeFirst()) }
    var code: UInt32 = 0
    let r = posescope_get_wch(&code)
    if r == posescope_err() { return nil }
    let value = Int32(bitPattern: code)
    if r == posescope_key_code_yes() {
      if value == posescope_key_resize() { return .resize }
      if value == posescope_key_mouse() {
        // Reports that arrive together come as one KEY_MOUSE; ncurses queues them, newest first.
        pendingMouse = readMouseQueue()
        return pendingMouse.isEmpty ? .key(.escape) : .mouse(pendingMouse.removeFirst())
      }
      return keyFromCode(value).map(InputEvent.key) ?? .key(.escape)
    }
    return keyFromCharacter(code).map(InputEvent.key) ?? .key(.escape)
  }

  /// A curses key code as a `Key`.
  static func keyFromCode(_ c: Int32) -> Key? {
    switch c {
    case posescope_key_up(): return .up
    case posescope_key_down(): return .down
    case posescope_key_left(): return .left
    case posescope_key_right(): return .right
    case posescope_key_ppage(): return .pageUp
    case posescope_key_npage(): return .pageDown
    case posescope_key_home(): return .home
    case posescope_key_end(): return .end
    case posescope_key_enter(): return .enter
    case posescope_key_btab(): return .backTab
    case posescope_key_backspace(), posescope_key_dc(): return .backspace
    default:
      for n in 1...12 where c == posescope_key_f(Int32(n)) { return .function(n) }
      return nil
    }
  }

  /// A character from `wget_wch` as a `Key` (control characters become Tab, Enter, Esc, Backspace or
  /// Ctrl-letter).
  public static func keyFromCharacter(_ c: UInt32) -> Key? {
    switch c {
    case 9: return .tab
    case 10, 13: return .enter
    case 27: return .escape
    case 8, 127: return .backspace
    case 1...26: return Unicode.Scalar(0x60 + c).map(Key.ctrl)
    default:
      guard c >= 32, let s = Unicode.Scalar(c) else { return nil }
      return .char(s)
    }
  }

  /// Every queued mouse event, oldest first (`getmouse` pops the newest; at most ncurses' queue of 8).
  static func readMouseQueue() -> [MouseEvent] {
    var events: [MouseEvent] = []
    var x: Int32 = 0
    var y: Int32 = 0
    var bits: UInt = 0
    var reads = 0
    while reads < 16, posescope_get_mouse(&x, &y, &bits) != 0 {
      reads += 1
      if let e = mouseEvent(x: Int(x), y: Int(y), bits: bits) { events.append(e) }
    }
    return events.reversed()
  }

  /// ncurses' button bits for the states `mouseEvent` understands (wheel down is 0 without BUTTON5).
  static var mouseBits: (press: UInt, release: UInt, motion: UInt, wheelUp: UInt, wheelDown: UInt) {
    (
      posescope_button1_pressed(), posescope_button1_released(), posescope_report_position(),
      posescope_button4_pressed(), posescope_button5_pressed()
    )
  }

  /// A curses button state as a `MouseEvent`, nil for states the viewer does not use.
  static func mouseEvent(x cx: Int, y cy: Int, bits: UInt) -> MouseEvent? {
    if bits & posescope_button4_pressed() != 0 { return .wheelUp(x: cx, y: cy) }
    let five = posescope_button5_pressed()
    if five != 0 && bits & five != 0 { return .wheelDown(x: cx, y: cy) }
    if bits & (posescope_button1_pressed() | posescope_button1_clicked()) != 0 { return .press(x: cx, y: cy) }
    if bits & posescope_button1_released() != 0 { return .release(x: cx, y: cy) }
    if bits & posescope_report_position() != 0 { return .drag(x: cx, y: cy) }
    return nil
  }

  // MARK: - Headless

  /// Renders one frame of the viewer without a terminal: estimates the first item synchronously (a
  /// folder or video from frame 1 up to `frame`, in order, so tracking and the sequence columns are as in the
  /// viewer), applies `keys` (characters of the key table, e.g. `"2t"` for the side view of BlazePose-33)
  /// and returns the frame as text with `mode`'s colour codes.
  ///
  /// - Throws: the engine's error when the models cannot be loaded (naming `scripts/fetch-assets.sh`).
  public static func renderOnce(
    items: [MediaItem], settings: ViewerSettings, width: Int, height: Int, colorMode: ColorMode,
    glyphs: GlyphSet = .unicode, frame: Int = 0, keys: String = "",
    pipeline: PipelineOptions = PipelineOptions()
  ) throws -> String {
    let grid = try renderOnceGrid(
      items: items, settings: settings, width: width, height: height, colorMode: colorMode, glyphs: glyphs,
      frame: frame, keys: keys, pipeline: pipeline)
    return ansiString(grid, mode: colorMode)
  }

  /// Times the redraw that follows a rotation key, as the interactive loop does it (state change, frame
  /// content, all panes into the cell grid, and the ANSI text of the grid, which stands in for the
  /// terminal output): estimates the first item once, then presses `l` `runs` times on a `width` ×
  /// `height` frame. Returns the milliseconds of each redraw (for `posescope bench`).
  public static func measureRedrawAfterRotation(
    items: [MediaItem], settings: ViewerSettings = ViewerSettings(), width: Int = 200, height: Int = 60,
    colorMode: ColorMode = .truecolor, runs: Int = 100, pipeline: PipelineOptions = PipelineOptions()
  ) throws -> [Double] {
    let cache = ThumbnailCache()
    let store = EstimateStore(items: items)
    let presenter = ViewerPresenter(items: items, settings: settings, store: store, thumbnails: cache)
    var state = presenter.initialState()
    if let s = state.selected {
      let engine = try FrameEstimator(options: pipeline)
      let (estimate, image) = engine.estimate(item: items[s], itemIndex: s, frame: 0)
      store.store(estimate, item: s, frame: 0)
      if let image { cache.put(.init(item: s, frame: 0), .of(image)) }
    }
    store.setState(.idle)
    var grid = CellGrid(width: width, height: height)
    let options = RenderOptions(colorMode: colorMode, glyphs: .unicode)
    var times: [Double] = []
    for _ in 0..<max(1, min(100_000, runs)) {
      let start = now()
      if let action = KeyTable.action(for: .char("l"), focus: state.focus) { state.apply(action) }
      let content = presenter.content(for: &state, width: width, height: height, glyphs: .unicode)
      FrameRenderer.render(content, into: &grid, options: options)
      _ = ansiString(grid, mode: colorMode)
      times.append((now() - start) * 1000)
    }
    return times
  }

  /// `renderOnce` as a cell grid (for tests that look at cells).
  public static func renderOnceGrid(
    items: [MediaItem], settings: ViewerSettings, width: Int, height: Int, colorMode: ColorMode,
    glyphs: GlyphSet = .unicode, frame: Int = 0, keys: String = "",
    pipeline: PipelineOptions = PipelineOptions()
  ) throws -> CellGrid {
    let cache = ThumbnailCache()
    let store = EstimateStore(items: items)
    let presenter = ViewerPresenter(items: items, settings: settings, store: store, thumbnails: cache)
    var state = presenter.initialState()
    if pipeline.lifter != nil { state.availableSources = PoseSource.allCases }
    if let s = state.selected {
      let engine = try FrameEstimator(options: pipeline)
      let item = items[s]
      let last = max(0, min(item.frameCount - 1, frame))
      for f in 0...last {
        let (estimate, image) = engine.estimate(item: item, itemIndex: s, frame: f)
        store.store(estimate, item: s, frame: f)
        if f == last {
          let key = ThumbnailCache.Key(item: s, frame: f)
          if let image {
            cache.put(key, .of(image))
          } else {
            cache.put(key, .failed(estimate.error ?? "cannot read the image"))
          }
        }
      }
      state.setFrame(last)
    }
    store.setState(.idle)
    for scalar in keys.unicodeScalars {
      guard let key = keyFromCharacter(scalar.value) else { continue }
      if let action = KeyTable.action(for: key, focus: state.focus) { state.apply(action) }
    }
    let content = presenter.content(for: &state, width: width, height: height, glyphs: glyphs)
    var grid = CellGrid(width: width, height: height)
    FrameRenderer.render(content, into: &grid, options: RenderOptions(colorMode: colorMode, glyphs: glyphs))
    if state.showHelp { HelpOverlay.render(into: &grid, scroll: state.helpScroll, glyphs: glyphs) }
    return grid
  }
}
