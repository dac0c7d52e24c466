// TerminalUI: pane layout for a terminal size, and the "terminal too small" screen.

/// The panes of the viewer.
public enum Pane: String, CaseIterable, Sendable {
  /// Images and frame folders (left column).
  case browser
  /// The image with the 2D skeleton.
  case image
  /// The 3D skeleton.
  case skeleton
  /// Bone-length diagnostics.
  case boneTable
  /// The status bar (bottom row).
  case status
}

/// Where each pane goes for one terminal size (outer rectangles, borders included).
///
/// The browser takes a left column (22 % of the width, 20…36 columns) above the status bar (the bottom
/// row); the rest is split into a top band with the image and skeleton panes side by side and the bone
/// table below (40 % of the height, 8…20 rows).
public struct Layout: Sendable, Hashable {
  /// Smallest supported terminal width.
  public static let minimumWidth = 80
  /// Smallest supported terminal height.
  public static let minimumHeight = 24

  /// Terminal width.
  public let width: Int
  /// Terminal height.
  public let height: Int
  /// Browser pane.
  public let browser: Rect
  /// Image pane.
  public let image: Rect
  /// 3D skeleton pane.
  public let skeleton: Rect
  /// Bone table pane.
  public let boneTable: Rect
  /// Status bar (one row).
  public let statusBar: Rect

  /// The layout for a `width` × `height` terminal, or nil when it is smaller than 80 × 24.
  public init?(width: Int, height: Int) {
    guard width >= Self.minimumWidth, height >= Self.minimumHeight, width <= 1 << 16, height <= 1 << 16 else {
      return nil
    }
    self.width = width
    self.height = height
    let contentHeight = height - 1
    let browserWidth = min(36, max(20, width * 22 / 100))
    let rightWidth = width - browserWidth
    let tableHeight = min(20, max(8, contentHeight * 2 / 5))
    let topHeight = contentHeight - tableHeight
    let imageWidth = rightWidth / 2
    browser = Rect(x: 0, y: 0, width: browserWidth, height: contentHeight)
    image = Rect(x: browserWidth, y: 0, width: imageWidth, height: topHeight)
    skeleton = Rect(x: browserWidth + imageWidth, y: 0, width: rightWidth - imageWidth, height: topHeight)
    boneTable = Rect(x: browserWidth, y: topHeight, width: rightWidth, height: tableHeight)
    statusBar = Rect(x: 0, y: height - 1, width: width, height: 1)
  }

  /// The rectangle of a pane.
  public func rect(for pane: Pane) -> Rect {
    switch pane {
    case .browser: return browser
    case .image: return image
    case .skeleton: return skeleton
    case .boneTable: return boneTable
    case .status: return statusBar
    }
  }

  /// The pane under cell (`x`, `y`), e.g. for mouse clicks.
  public func pane(atX x: Int, y: Int) -> Pane? {
    Pane.allCases.first { rect(for: $0).contains(x: x, y: y) }
  }
}

/// The screen shown instead of the viewer when the terminal is below 80 × 24.
public enum TooSmallScreen {
  /// The message lines for a terminal of the given size.
  public static func message(width: Int, height: Int) -> [String] {
    [
      "Terminal too small",
      "\(width)x\(height), need at least \(Layout.minimumWidth)x\(Layout.minimumHeight)",
      "Enlarge the window (q quits)",
    ]
  }

  /// A `width` × `height` grid with the message centred (cut to fit; nothing for an empty size).
  public static func render(width: Int, height: Int, glyphs: GlyphSet = .unicode) -> CellGrid {
    var grid = CellGrid(width: width, height: height)
    let lines = message(width: width, height: height)
    let top = max(0, (grid.height - lines.count) / 2)
    for (i, line) in lines.enumerated() {
      let text = TextWidth.truncated(line, toColumns: grid.width, ellipsis: glyphs.ellipsis)
      let x = max(0, (grid.width - TextWidth.columns(of: text)) / 2)
      grid.drawText(text, x: x, y: top + i, attributes: i == 0 ? [.bold] : [])
    }
    return grid
  }
}
