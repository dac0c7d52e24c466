// TerminalUI: the viewer's state (items, selection, filter, frames, camera, modes) and its key transitions.

import PoseScope

/// Where the reference bone lengths of the diagnostics come from.
public enum ReferenceMode: String, CaseIterable, Sendable {
  /// A ground-truth sidecar file (`<image or folder>.gt.json`).
  case groundTruth
  /// The median length over the frames of the sequence estimated so far.
  case sequenceMedian
  /// Winter's anthropometric proportions scaled by the body height (`--height`).
  case anthropometric

  /// Name for titles and the status bar.
  public var label: String {
    switch self {
    case .groundTruth: return "ground truth"
    case .sequenceMedian: return "sequence median"
    case .anthropometric: return "anthropometric"
    }
  }

  /// The next mode (`r`).
  public var next: ReferenceMode {
    switch self {
    case .groundTruth: return .sequenceMedian
    case .sequenceMedian: return .anthropometric
    case .anthropometric: return .groundTruth
    }
  }
}

/// What the interactive loop must do after an action, beyond redrawing.
public enum ViewerEffect: Sendable, Equatable {
  /// Nothing more.
  case none
  /// Clear and repaint the whole terminal.
  case fullRedraw
  /// Export the current frame or sequence.
  case export
  /// Leave the viewer.
  case quit
}

/// The viewer's state without any terminal: selection, filter, frame per folder, camera, modes. The
/// interactive loop feeds it actions from `KeyTable` and draws what it says.
public struct ViewerState: Sendable {
  /// Angle of one orbit key press (15°).
  public static let orbitStep = Double.pi / 12
  /// Zoom factor of one zoom key press.
  public static let zoomStep = 1.25
  /// Auto-spin speed, radians per second (30°/s).
  public static let spinRate = Double.pi / 6
  /// Panes that take the focus with Tab, in order.
  public static let focusOrder: [Pane] = [.browser, .skeleton, .boneTable]

  /// The name the lifter source goes by ("AITE lifter" for the shipped kind; the `--lifter` file's kind
  /// otherwise, e.g. "unsupervised lifter").
  public var lifterLabel = PoseSource.aiteLifter.label

  /// The name of `source` in this session.
  public func label(_ source: PoseSource) -> String {
    source == .aiteLifter ? lifterLabel : source.label
  }

  /// All items, in the order given.
  public let items: [MediaItem]
  /// The selected item (index into `items`), nil when none is visible.
  public private(set) var selected: Int?
  /// The browser's name filter ("" = all).
  public private(set) var filter = ""
  /// True while the filter is being typed.
  public private(set) var editingFilter = false
  /// The current frame of every item (0 for images).
  public private(set) var frameIndex: [Int]
  /// The pane with the keyboard focus.
  public var focus: Pane = .browser
  /// The 3D camera.
  public var camera = Camera3D()
  /// Turning the camera continuously.
  public var autoSpin = false
  /// Playing the current folder or video.
  public private(set) var playing = false
  /// The 3D source shown.
  public private(set) var source: PoseSource = .blazePose
  /// Sources that can be chosen with `s`.
  public var availableSources: [PoseSource] = [.blazePose]
  /// The skeleton drawn and measured.
  public var skeleton: SkeletonKind = .h36m17
  /// Show the bone-length-consistent 3D of the source (H36M-17): every frame held to the subject's
  /// lengths, which also become the bone table's reference (`c`).
  public var consistentBones = false
  /// Where reference lengths come from.
  public var reference: ReferenceMode
  /// The help screen is shown.
  public var showHelp = false
  /// First help line shown.
  public var helpScroll = 0
  /// First bone-table row shown.
  public var boneTableScroll = 0
  /// Items per browser page (set from the layout).
  public var browserPageSize = 10
  /// Bone rows per table page (set from the layout).
  public var tablePageSize = 6
  /// A one-off message for the status bar (cleared by the loop after a while).
  public var message: String?

  /// A state showing `items` with the first one selected.
  public init(items: [MediaItem], reference: ReferenceMode = .anthropometric) {
    self.items = items
    self.reference = reference
    frameIndex = [Int](repeating: 0, count: items.count)
    selected = items.isEmpty ? nil : 0
  }

  /// Indices of the items shown with the current filter, in order.
  public var visible: [Int] {
    ListPane.matching(items.map { ListItem(label: $0.name) }, filter: filter)
  }

  /// The selected item.
  public var currentItem: MediaItem? { selected.map { items[$0] } }

  /// The current frame of the selected item (0 for an image), nil without a selection.
  public var currentFrame: Int? { selected.map { frameIndex[$0] } }

  /// Selects item `index` (ignored when out of range or hidden by the filter); stops playback when the
  /// selection changes.
  public mutating func select(_ index: Int) {
    guard items.indices.contains(index), visible.contains(index) else { return }
    if selected != index { playing = false }
    selected = index
  }

  /// Sets the current frame of the selected item, clamped to its frames.
  public mutating func setFrame(_ frame: Int) {
    guard let s = selected else { return }
    frameIndex[s] = max(0, min(items[s].frameCount - 1, frame))
  }

  /// Applies a key-table action.
  @discardableResult
  public mutating func apply(_ action: ViewerAction) -> ViewerEffect {
    switch action {
    case .selectPrevious: moveSelection(by: -1)
    case .selectNext: moveSelection(by: 1)
    case .pageUp: moveSelection(by: -max(1, browserPageSize))
    case .pageDown: moveSelection(by: max(1, browserPageSize))
    case .selectFirst: moveSelection(to: 0)
    case .selectLast: moveSelection(to: Int.max)
    case .open: if selected != nil { focus = .skeleton }
    case .startFilter:
      editingFilter = true
      focus = .browser
    case .orbitLeft: camera.orbit(yaw: -Self.orbitStep, pitch: 0)
    case .orbitRight: camera.orbit(yaw: Self.orbitStep, pitch: 0)
    case .orbitUp: camera.orbit(yaw: 0, pitch: Self.orbitStep)
    case .orbitDown: camera.orbit(yaw: 0, pitch: -Self.orbitStep)
    case .zoomIn: camera.zoom(by: Self.zoomStep)
    case .zoomOut: camera.zoom(by: 1 / Self.zoomStep)
    case .resetView:
      camera = Camera3D(projection: camera.projection)
      autoSpin = false
    case .preset(let p):
      camera.apply(p)
      autoSpin = false
    case .toggleProjection: camera.projection = camera.projection.toggled
    case .toggleAutoSpin: autoSpin.toggle()
    case .nextSource: nextSource()
    case .toggleSkeleton:
      skeleton = skeleton.toggled
      boneTableScroll = 0
    case .nextReference: reference = reference.next
    case .toggleConsistent:
      consistentBones.toggle()
      message =
        consistentBones
        ? "consistent bones: the subject's lengths in every frame"
          + (skeleton == .h36m17 ? "" : " (H36M-17 only: press t)")
        : "raw 3D: bone lengths as estimated per frame"
    case .togglePlay:
      if let item = currentItem, item.isSequence {
        playing.toggle()
      } else {
        playing = false
        message = "play needs a frame folder or a video"
      }
    case .stepBack: step(by: -1)
    case .stepForward: step(by: 1)
    case .jumpBack: step(by: -10)
    case .jumpForward: step(by: 10)
    case .scrollUp: boneTableScroll = max(0, boneTableScroll - 1)
    case .scrollDown: boneTableScroll += 1
    case .scrollPageUp: boneTableScroll = max(0, boneTableScroll - max(1, tablePageSize))
    case .scrollPageDown: boneTableScroll += max(1, tablePageSize)
    case .scrollTop: boneTableScroll = 0
    case .scrollBottom: boneTableScroll = 1 << 20
    case .focusNext: moveFocus(by: 1)
    case .focusPrevious: moveFocus(by: -1)
    case .export: return .export
    case .redraw: return .fullRedraw
    case .help:
      showHelp.toggle()
      helpScroll = 0
    case .quit: return .quit
    }
    return .none
  }

  /// Handles a key while the filter is being typed: printable characters extend it, Backspace shortens
  /// it (and stops editing when it is empty), Enter keeps it, Esc clears it; ↑/↓ still move the selection.
  /// Returns false for keys the filter does not use.
  @discardableResult
  public mutating func handleFilterKey(_ key: Key) -> Bool {
    guard editingFilter else { return false }
    switch key {
    case .char(let c):
      setFilter(filter + String(c))
    case .backspace:
      if filter.isEmpty {
        editingFilter = false
      } else {
        setFilter(String(filter.dropLast()))
      }
    case .enter:
      editingFilter = false
    case .escape:
      editingFilter = false
      setFilter("")
    case .up: moveSelection(by: -1)
    case .down: moveSelection(by: 1)
    default:
      return false
    }
    return true
  }

  /// Sets the filter; the selection stays when it still matches, else moves to the first match.
  public mutating func setFilter(_ text: String) {
    filter = text
    let shown = visible
    if let s = selected, shown.contains(s) { return }
    if selected != shown.first { playing = false }
    selected = shown.first
  }

  /// Moves playback on by `frames` (wrapping at the end); false when not playing a folder or video.
  @discardableResult
  public mutating func advancePlayback(frames: Int = 1) -> Bool {
    guard playing, let s = selected, items[s].isSequence else {
      playing = false
      return false
    }
    let n = items[s].frameCount
    frameIndex[s] = ((frameIndex[s] + frames) % n + n) % n
    return true
  }

  /// Turns the camera by the auto-spin speed for `seconds` (nothing when auto-spin is off).
  public mutating func spin(seconds: Double) {
    guard autoSpin, seconds.isFinite, seconds > 0 else { return }
    camera.orbit(yaw: Self.spinRate * min(seconds, 1), pitch: 0)
  }

  mutating func moveSelection(by delta: Int) {
    let shown = visible
    guard !shown.isEmpty else {
      selected = nil
      return
    }
    let position = selected.flatMap { shown.firstIndex(of: $0) } ?? 0
    let target = max(0, min(shown.count - 1, position + delta))
    select(shown[target])
  }

  mutating func moveSelection(to position: Int) {
    let shown = visible
    guard !shown.isEmpty else { return }
    select(shown[max(0, min(shown.count - 1, position))])
  }

  mutating func step(by delta: Int) {
    guard let s = selected else { return }
    guard items[s].isSequence else {
      message = "\(items[s].name) is a single image (frame stepping is for folders and videos)"
      return
    }
    playing = false
    setFrame(frameIndex[s] + delta)
  }

  mutating func moveFocus(by delta: Int) {
    let order = Self.focusOrder
    let i = order.firstIndex(of: focus) ?? 0
    focus = order[((i + delta) % order.count + order.count) % order.count]
  }

  mutating func nextSource() {
    let choices = availableSources.isEmpty ? [source] : availableSources
    let i = choices.firstIndex(of: source) ?? -1
    let nextSource = choices[(i + 1) % choices.count]
    let unavailable = PoseSource.allCases.filter { !choices.contains($0) }
      .map { "\(label($0)): no lifter loaded (see --lifter)" }
    if nextSource == source {
      message =
        "3D source: \(label(source)) (the only one"
        + (unavailable.isEmpty ? ")" : "; \(unavailable.joined(separator: ", ")))")
    } else {
      source = nextSource
      message = "3D source: \(label(source))"
    }
  }
}
