// TerminalUI: composes one full viewer frame (all panes and the status bar) into a cell grid.

import PoseScope

/// How a frame is drawn: colour depth and character set.
public struct RenderOptions: Sendable, Hashable {
  /// Colours available.
  public var colorMode: ColorMode
  /// Unicode (braille, half blocks, box drawing) or plain ASCII.
  public var glyphs: GlyphSet

  /// Creates options.
  public init(colorMode: ColorMode, glyphs: GlyphSet = .unicode) {
    self.colorMode = colorMode
    self.glyphs = glyphs
  }
}

/// Everything one frame shows, as plain values (the interactive loop owns and updates them).
public struct FrameContent: Sendable {
  /// Title of the browser pane.
  public var browserTitle: String
  /// The browser list.
  public var browser: ListPane
  /// Title of the image pane (e.g. the file name).
  public var imageTitle: String
  /// The image, nil for none.
  public var image: Image?
  /// The 2D pose in image pixels, drawn over the image.
  public var pose2D: Pose2D?
  /// The 3D pose.
  public var pose3D: Pose3D?
  /// The skeleton pane's camera.
  public var camera: Camera3D
  /// Colours and switches of both skeleton drawings.
  public var skeletonStyle: SkeletonStyle
  /// Bone-length diagnostics.
  public var boneTable: BoneTable?
  /// First bone-table row shown.
  public var boneTableScroll: Int
  /// Text of the status bar.
  public var status: String
  /// The pane drawn with a heavy border, if any.
  public var focus: Pane?
  /// Title of the skeleton pane; nil for `3D <skeleton> · <camera>`.
  public var skeletonTitle: String?
  /// Title of the bone-table pane.
  public var boneTableTitle = "Bone lengths (mm)"
  /// Shown in the image pane when there is no image (nil: `no image`).
  public var imageMessage: String?
  /// Shown in the skeleton pane when there is no pose (nil: `no pose`).
  public var skeletonMessage: String?
  /// Shown in the bone-table pane when there is no table (nil: `no bone lengths`).
  public var boneTableMessage: String?
  /// Text right-aligned in the status bar (drawn over `status` where they meet).
  public var statusRight = ""

  /// Creates frame content (everything empty by default).
  public init(
    browserTitle: String = "Files", browser: ListPane = ListPane(), imageTitle: String = "Image",
    image: Image? = nil, pose2D: Pose2D? = nil, pose3D: Pose3D? = nil, camera: Camera3D = Camera3D(),
    skeletonStyle: SkeletonStyle = .standard, boneTable: BoneTable? = nil, boneTableScroll: Int = 0,
    status: String = "", focus: Pane? = nil
  ) {
    self.browserTitle = browserTitle
    self.browser = browser
    self.imageTitle = imageTitle
    self.image = image
    self.pose2D = pose2D
    self.pose3D = pose3D
    self.camera = camera
    self.skeletonStyle = skeletonStyle
    self.boneTable = boneTable
    self.boneTableScroll = boneTableScroll
    self.status = status
    self.focus = focus
  }
}

/// What was drawn where, for the interactive loop (mouse hit-testing, overlays).
public struct FrameInfo: Sendable {
  /// The layout used, nil when the terminal was too small.
  public var layout: Layout?
  /// Where the image landed.
  public var imageMapping: ImageCellMapping?
  /// The 3D drawing's result.
  public var skeleton: SkeletonRenderResult?
}

/// Renders whole frames: the same code serves the ncurses screen and headless `--once` output.
public enum FrameRenderer {
  /// `text` broken at spaces into lines of at most `width` columns (longer words are cut later by the
  /// caller), at most `maxLines` lines; the last line keeps the rest.
  public static func wrap(_ text: String, width: Int, maxLines: Int) -> [String] {
    guard width > 0, maxLines > 0 else { return [] }
    var lines: [String] = []
    var current = ""
    for word in text.split(separator: " ", omittingEmptySubsequences: true).map(String.init) {
      if current.isEmpty {
        current = word
      } else if TextWidth.columns(of: current) + 1 + TextWidth.columns(of: word) <= width
        || lines.count == maxLines - 1
      {
        current += " " + word
      } else {
        lines.append(current)
        current = word
      }
    }
    if !current.isEmpty || lines.isEmpty { lines.append(current) }
    return lines
  }

  /// A new `width` × `height` grid with the frame (or the too-small screen).
  public static func render(_ content: FrameContent, width: Int, height: Int, options: RenderOptions)
    -> CellGrid
  {
    var grid = CellGrid(width: width, height: height)
    render(content, into: &grid, options: options)
    return grid
  }

  /// Draws the frame over all of `grid` (its size is the terminal size).
  @discardableResult
  public static func render(_ content: FrameContent, into grid: inout CellGrid, options: RenderOptions)
    -> FrameInfo
  {
    grid.clip = grid.bounds
    grid.clear()
    guard let layout = Layout(width: grid.width, height: grid.height) else {
      grid = TooSmallScreen.render(width: grid.width, height: grid.height, glyphs: options.glyphs)
      return FrameInfo(layout: nil, imageMapping: nil, skeleton: nil)
    }
    var info = FrameInfo(layout: layout, imageMapping: nil, skeleton: nil)
    let glyphs = options.glyphs
    let separator = glyphs == .unicode ? " · " : " - "

    func box(_ pane: Pane, _ title: String) -> Rect {
      let rect = layout.rect(for: pane)
      let focused = content.focus == pane
      grid.drawBox(
        rect, style: focused ? glyphs.focusedBox : glyphs.box, title: title,
        foreground: focused ? .terminalDefault : .rgb(150, 150, 150), titleAttributes: focused ? [.bold] : [],
        ellipsis: glyphs.ellipsis)
      return rect.inset(by: 1)
    }
    func centred(_ text: String, in rect: Rect) {
      // Word-wrapped to the pane (long messages, e.g. a missing model's path, stay readable).
      let lines = Self.wrap(text, width: rect.width, maxLines: max(1, rect.height))
      let top = rect.y + max(0, (rect.height - lines.count) / 2)
      for (i, line) in lines.enumerated() {
        let t = TextWidth.truncated(line, toColumns: rect.width, ellipsis: glyphs.ellipsis)
        grid.drawText(
          t, x: rect.x + max(0, (rect.width - TextWidth.columns(of: t)) / 2), y: top + i, attributes: [.dim])
      }
    }

    // Browser.
    var browserTitle = content.browserTitle
    if let s = content.browser.selection, !content.browser.items.isEmpty {
      browserTitle += " \(s + 1)/\(content.browser.items.count)"
    }
    let browserRect = box(.browser, browserTitle)
    content.browser.render(into: &grid, rect: browserRect, glyphs: glyphs, focused: content.focus == .browser)

    // Image.
    let imageRect = box(.image, content.imageTitle)
    if let image = content.image {
      let mapping = ImageRenderer.render(
        image, into: &grid, rect: imageRect, mode: options.colorMode, glyphs: glyphs)
      info.imageMapping = mapping
      if let mapping, let pose = content.pose2D {
        ImageRenderer.overlay2D(
          pose, mapping: mapping, style: content.skeletonStyle, mode: options.colorMode, glyphs: glyphs,
          into: &grid)
      }
    } else {
      centred(content.imageMessage ?? "no image", in: imageRect)
    }

    // 3D skeleton.
    let skeletonName = content.pose3D.map { $0.skeleton.name + separator } ?? ""
    let skeletonRect = box(
      .skeleton, content.skeletonTitle ?? ("3D " + skeletonName + content.camera.summary(glyphs: glyphs)))
    if let pose = content.pose3D {
      info.skeleton = SkeletonRenderer.render(
        pose, camera: content.camera, style: content.skeletonStyle, glyphs: glyphs, into: &grid,
        rect: skeletonRect)
    } else {
      centred(content.skeletonMessage ?? "no pose", in: skeletonRect)
    }

    // Bone table.
    let tableRect = box(.boneTable, content.boneTableTitle)
    if let table = content.boneTable {
      table.render(into: &grid, rect: tableRect, scrollOffset: content.boneTableScroll, glyphs: glyphs)
    } else {
      centred(content.boneTableMessage ?? "no bone lengths", in: tableRect)
    }

    // Status bar.
    let bar = layout.statusBar
    grid.fill(bar, with: Cell(" ", attributes: [.reverse]))
    grid.drawText(
      TextWidth.truncated(" " + content.status, toColumns: bar.width, ellipsis: glyphs.ellipsis), x: bar.x,
      y: bar.y,
      attributes: [.reverse])
    if !content.statusRight.isEmpty {
      let right = TextWidth.truncated(
        content.statusRight + " ", toColumns: bar.width, ellipsis: glyphs.ellipsis)
      let x = bar.maxX - TextWidth.columns(of: right)
      grid.fill(
        Rect(x: x - 1, y: bar.y, width: bar.maxX - x + 1, height: 1), with: Cell(" ", attributes: [.reverse]))
      grid.drawText(right, x: x, y: bar.y, attributes: [.reverse, .bold])
    }
    return info
  }
}
