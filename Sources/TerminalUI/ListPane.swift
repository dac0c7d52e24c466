// TerminalUI: the browser list pane (items, selection, scrolling, filter line, footer).

/// One entry of the browser: an image file or a frame folder.
public struct ListItem: Sendable, Hashable {
  /// Shown name (file or folder name).
  public var label: String
  /// Right-aligned detail, e.g. `230 fr` for a folder.
  public var detail: String?
  /// Folders are shown with a trailing `/`.
  public var isFolder: Bool

  /// Creates an item.
  public init(label: String, detail: String? = nil, isFolder: Bool = false) {
    self.label = label
    self.detail = detail
    self.isFolder = isFolder
  }
}

/// The browser list: items with a selection and scroll offset, an optional `/` filter line and a footer
/// (e.g. `frame 12/230`). The caller owns the state; this only lays it out and draws it.
public struct ListPane: Sendable, Hashable {
  /// The items shown (already filtered by the caller, see `matching`).
  public var items: [ListItem]
  /// Index of the selected item.
  public var selection: Int?
  /// Index of the first visible item.
  public var scrollOffset: Int
  /// The filter text (shown as `/text` on the last row) while filtering, nil otherwise.
  public var filter: String?
  /// A line above the filter row, e.g. `frame 12/230`.
  public var footer: String?

  /// Creates a list.
  public init(
    items: [ListItem] = [], selection: Int? = nil, scrollOffset: Int = 0, filter: String? = nil,
    footer: String? = nil
  ) {
    self.items = items
    self.selection = selection
    self.scrollOffset = scrollOffset
    self.filter = filter
    self.footer = footer
  }

  /// Indices of the items whose label contains `filter` (case-insensitive); all for an empty filter.
  public static func matching(_ items: [ListItem], filter: String) -> [Int] {
    let needle = filter.lowercased()
    guard !needle.isEmpty else { return Array(items.indices) }
    return items.indices.filter { items[$0].label.lowercased().contains(needle) }
  }

  /// Rows available for items in a content area `height` rows tall (minus the footer and filter rows).
  public func itemRows(height: Int) -> Int {
    max(0, height - (footer == nil ? 0 : 1) - (filter == nil ? 0 : 1))
  }

  /// The scroll offset that keeps `selection` visible with the least movement from `current`, clamped
  /// so the list does not scroll past its end.
  public static func scrollOffset(keeping selection: Int?, current: Int, visibleRows: Int, count: Int) -> Int
  {
    guard visibleRows > 0, count > 0 else { return 0 }
    var offset = current
    if let s = selection {
      if s < offset { offset = s }
      if s >= offset + visibleRows { offset = s - visibleRows + 1 }
    }
    return max(0, min(offset, count - visibleRows))
  }

  /// Draws the list into `rect` (the pane's content area): one item per row with a `>` marker and
  /// reverse video on the selection (bold when the pane is not focused), details right-aligned, `↑`/`↓`
  /// (`^`/`v`) in the last column when items are hidden above/below, then the footer and filter rows.
  public func render(into grid: inout CellGrid, rect: Rect, glyphs: GlyphSet = .unicode, focused: Bool = true)
  {
    guard !rect.isEmpty else { return }
    let rows = itemRows(height: rect.height)
    let offset = Self.scrollOffset(
      keeping: selection, current: scrollOffset, visibleRows: rows, count: items.count)
    grid.withClip(rect) { g in
      if items.isEmpty && rows > 0 {
        g.drawText("(empty)", x: rect.x + 2, y: rect.y, maxWidth: rect.width - 2, attributes: [.dim])
      }
      for row in 0..<rows {
        let index = offset + row
        guard index < items.count else { break }
        let item = items[index]
        let selected = index == selection
        let attributes: CellAttributes = selected ? (focused ? [.reverse] : [.bold]) : []
        let label = item.label + (item.isFolder ? "/" : "")
        let detail = item.detail.map { " " + $0 } ?? ""
        let detailWidth = TextWidth.columns(of: detail)
        let labelWidth = max(0, rect.width - 2 - detailWidth)
        var text =
          (selected ? "> " : "  ") + NumberFormat.padRight(label, labelWidth, ellipsis: glyphs.ellipsis)
        if labelWidth > 0 { text += detail }
        let y = rect.y + row
        g.drawText(text, x: rect.x, y: y, maxWidth: rect.width, attributes: attributes)
        if selected {
          // Extend the highlight to the pane edge.
          let used = TextWidth.columns(of: text)
          if used < rect.width {
            g.fill(
              Rect(x: rect.x + used, y: y, width: rect.width - used, height: 1),
              with: Cell(" ", attributes: attributes))
          }
        }
      }
      if rows > 0 && offset > 0 {
        g.set(x: rect.maxX - 1, y: rect.y, Cell(glyphs == .unicode ? "↑" : "^", attributes: [.bold]))
      }
      if rows > 0 && offset + rows < items.count {
        g.set(
          x: rect.maxX - 1, y: rect.y + rows - 1, Cell(glyphs == .unicode ? "↓" : "v", attributes: [.bold]))
      }
      var y = rect.y + rows
      if let footer {
        g.drawText(
          TextWidth.truncated(footer, toColumns: rect.width, ellipsis: glyphs.ellipsis), x: rect.x, y: y,
          attributes: [.dim])
        y += 1
      }
      if let filter {
        g.drawText(
          TextWidth.truncated("/" + filter, toColumns: rect.width, ellipsis: glyphs.ellipsis), x: rect.x,
          y: y,
          attributes: [.bold])
      }
    }
  }
}
