// TerminalUI: mouse events of the viewer (drag to orbit, wheel to zoom or scroll, click to select/focus).

/// A mouse event in terminal cells, independent of ncurses.
public enum MouseEvent: Equatable, Sendable {
  /// Button 1 went down.
  case press(x: Int, y: Int)
  /// The pointer moved with button 1 down.
  case drag(x: Int, y: Int)
  /// Button 1 went up.
  case release(x: Int, y: Int)
  /// Wheel turned up / down.
  case wheelUp(x: Int, y: Int)
  case wheelDown(x: Int, y: Int)

  /// Where it happened.
  public var position: (x: Int, y: Int) {
    switch self {
    case .press(let x, let y), .drag(let x, let y), .release(let x, let y), .wheelUp(let x, let y),
      .wheelDown(let x, let y):
      return (x, y)
    }
  }
}

/// Turns mouse events into state changes: a press focuses the pane under it (and selects a browser
/// row), dragging in the 3D pane orbits (4° per column, 8° per row), the wheel zooms the 3D pane and
/// scrolls the list and the table.
public struct MouseTracker: Sendable {
  /// Yaw per column dragged.
  public static let yawPerCell = Double.pi / 45
  /// Pitch per row dragged (cells are about twice as tall as wide).
  public static let pitchPerCell = Double.pi / 22.5
  private var dragFrom: (x: Int, y: Int)?

  /// A tracker with no drag in progress.
  public init() {}

  /// Applies `event`, given the layout drawn and the browser's first visible row; true when the state
  /// changed.
  @discardableResult
  public mutating func handle(
    _ event: MouseEvent, layout: Layout, browserScroll: Int, state: inout ViewerState
  ) -> Bool {
    let (x, y) = event.position
    let pane = layout.pane(atX: x, y: y)
    switch event {
    case .press:
      dragFrom = nil
      guard let pane else { return false }
      switch pane {
      case .browser:
        state.focus = .browser
        let row = y - layout.browser.y - 1
        let shown = state.visible
        let index = browserScroll + row
        if row >= 0, row < layout.browser.height - 2, shown.indices.contains(index) {
          state.select(shown[index])
        }
      case .skeleton:
        state.focus = .skeleton
        dragFrom = (x, y)
      case .boneTable:
        state.focus = .boneTable
      case .image, .status:
        return false
      }
      return true
    case .drag:
      guard let from = dragFrom else { return false }
      let dx = x - from.x
      let dy = y - from.y
      guard dx != 0 || dy != 0 else { return false }
      state.camera.orbit(yaw: Double(dx) * Self.yawPerCell, pitch: Double(dy) * Self.pitchPerCell)
      dragFrom = (x, y)
      return true
    case .release:
      let was = dragFrom != nil
      dragFrom = nil
      return was
    case .wheelUp, .wheelDown:
      let up: Bool
      if case .wheelUp = event { up = true } else { up = false }
      switch pane {
      case .skeleton?: state.apply(up ? .zoomIn : .zoomOut)
      case .browser?: state.apply(up ? .selectPrevious : .selectNext)
      case .boneTable?: state.apply(up ? .scrollUp : .scrollDown)
      default: return false
      }
      return true
    }
  }
}
