// TerminalUI: images as half-block cells (or ASCII shades), aspect-fit, and the 2D skeleton overlay.

import PoseScope

/// Where an image landed in the cell grid: the cells it covers and the scale from image pixels to
/// cells. A cell shows 1 × 2 (resampled) pixels: columns map to cells, rows to half-cells.
public struct ImageCellMapping: Sendable, Hashable {
  /// Source image width in pixels.
  public var imageWidth: Int
  /// Source image height in pixels.
  public var imageHeight: Int
  /// Width of the resampled image (= columns of cells).
  public var pixelWidth: Int
  /// Height of the resampled image (= half-cell rows; the last cell row may be half empty).
  public var pixelHeight: Int
  /// The cells covered (absolute grid coordinates).
  public var rect: Rect

  /// Continuous position of an image point in grid columns (x) and grid half-rows (y), so that the
  /// half-cell (`Int(x)`, `Int(y)`) contains it: x = `rect.x + px · pixelWidth / imageWidth`,
  /// y = `2 · rect.y + py · pixelHeight / imageHeight`.
  public func halfCellPosition(ofImagePoint p: Vec2) -> Vec2 {
    Vec2(
      Double(rect.x) + p.x * Double(pixelWidth) / Double(max(1, imageWidth)),
      Double(2 * rect.y) + p.y * Double(pixelHeight) / Double(max(1, imageHeight)))
  }

  /// The grid cell containing an image point, nil when it is outside the image area or not finite.
  public func cell(ofImagePoint p: Vec2) -> (x: Int, y: Int)? {
    let h = halfCellPosition(ofImagePoint: p)
    guard h.x.isFinite, h.y.isFinite, h.x >= Double(rect.x), h.x < Double(rect.maxX),
      h.y >= Double(2 * rect.y),
      h.y < Double(2 * rect.y + pixelHeight)
    else { return nil }
    return (Int(h.x.rounded(.down)), Int(h.y.rounded(.down)) / 2)
  }
}

/// Draws images into cells and the 2D skeleton over them.
public enum ImageRenderer {
  /// The upper-half block; its foreground is the top pixel and its background the bottom pixel.
  public static let halfBlock: Unicode.Scalar = "▀"
  /// ASCII shades from dark to bright.
  public static let shades: [Unicode.Scalar] = [" ", ".", ":", "-", "=", "+", "*", "#", "%", "@"]

  /// The largest `w` × `h` pixel area with the image's aspect ratio that fits in `rect` at 1 × 2 pixels
  /// per cell, centred in `rect`; nil when `rect` is empty or the image size is not positive.
  public static func fit(imageWidth: Int, imageHeight: Int, in rect: Rect) -> ImageCellMapping? {
    guard imageWidth > 0, imageHeight > 0, !rect.isEmpty else { return nil }
    let availableWidth = rect.width
    let availableHeight = 2 * rect.height
    let scale = min(
      Double(availableWidth) / Double(imageWidth), Double(availableHeight) / Double(imageHeight))
    let w = min(availableWidth, max(1, Int((Double(imageWidth) * scale).rounded())))
    let h = min(availableHeight, max(1, Int((Double(imageHeight) * scale).rounded())))
    let rows = (h + 1) / 2
    let cells = Rect(
      x: rect.x + (rect.width - w) / 2, y: rect.y + (rect.height - rows) / 2, width: w, height: rows)
    return ImageCellMapping(
      imageWidth: imageWidth, imageHeight: imageHeight, pixelWidth: w, pixelHeight: h, rect: cells)
  }

  /// Draws `image` aspect-fit and centred in `rect` (its part on the grid): half blocks (fg = top pixel, bg = bottom pixel,
  /// colours quantised later by the output) when the mode has colour and glyphs are Unicode, otherwise
  /// one ASCII shade per cell from the mean luminance of its two pixels (coloured when the mode allows).
  /// Returns the mapping for overlays, or nil when nothing could be drawn.
  @discardableResult
  public static func render(
    _ image: Image, into grid: inout CellGrid, rect: Rect, mode: ColorMode, glyphs: GlyphSet = .unicode
  ) -> ImageCellMapping? {
    // Only the part of `rect` on the grid is used, which bounds the resampled size.
    let area = rect.intersection(grid.bounds)
    guard let mapping = fit(imageWidth: image.width, imageHeight: image.height, in: area) else { return nil }
    let scaled = image.resized(width: mapping.pixelWidth, height: mapping.pixelHeight)
    let w = scaled.width
    let h = scaled.height
    guard w == mapping.pixelWidth, h == mapping.pixelHeight else { return nil }
    let halfBlocks = mode.hasColor && glyphs == .unicode
    scaled.pixels.withUnsafeBufferPointer { px in
      for row in 0..<mapping.rect.height {
        let top = 2 * row
        let bottom = top + 1
        for col in 0..<w {
          let t = (top * w + col) * 3
          let topColor = Color.rgb(px[t], px[t + 1], px[t + 2])
          var bottomColor = Color.terminalDefault
          var luminance = luma(px[t], px[t + 1], px[t + 2])
          var samples = 1
          var mean = (Int(px[t]), Int(px[t + 1]), Int(px[t + 2]))
          if bottom < h {
            let b = (bottom * w + col) * 3
            bottomColor = .rgb(px[b], px[b + 1], px[b + 2])
            luminance += luma(px[b], px[b + 1], px[b + 2])
            samples = 2
            mean = (
              (mean.0 + Int(px[b]) + 1) / 2, (mean.1 + Int(px[b + 1]) + 1) / 2,
              (mean.2 + Int(px[b + 2]) + 1) / 2
            )
          }
          let cell: Cell
          if halfBlocks {
            cell = Cell(halfBlock, foreground: topColor, background: bottomColor)
          } else {
            let index = min(shades.count - 1, luminance * shades.count / (256_000 * samples))
            let fg: Color =
              mode.hasColor ? .rgb(UInt8(mean.0), UInt8(mean.1), UInt8(mean.2)) : .terminalDefault
            cell = Cell(shades[index], foreground: fg)
          }
          grid.set(x: mapping.rect.x + col, y: mapping.rect.y + row, cell)
        }
      }
    }
    return mapping
  }

  /// Rec. 601 luma of a pixel in thousandths, 0…255 000 (integer, so shade thresholds are exact).
  static func luma(_ r: UInt8, _ g: UInt8, _ b: UInt8) -> Int {
    299 * Int(r) + 587 * Int(g) + 114 * Int(b)
  }

  /// Draws the 2D skeleton over an image drawn with `mapping`: lines between connected joints and joint
  /// markers, coloured by side; low-visibility joints and their bones are dim (blended with the image,
  /// dotted). In half-block mode lines are drawn in half cells (recolouring the top or bottom pixel);
  /// otherwise with `-|/\` and `o` characters. Nothing is drawn outside `mapping.rect`.
  public static func overlay2D(
    _ pose: Pose2D, mapping: ImageCellMapping, style: SkeletonStyle = .standard, mode: ColorMode,
    glyphs: GlyphSet = .unicode, into grid: inout CellGrid
  ) {
    let rect = mapping.rect
    guard !rect.isEmpty else { return }
    let halfBlocks = mode.hasColor && glyphs == .unicode
    let origin = Vec2(Double(rect.x), Double(2 * rect.y))
    grid.withClip(rect) { g in
      func local(_ i: Int) -> Vec2? {
        pose.point(i).map { mapping.halfCellPosition(ofImagePoint: $0) - origin }
      }
      for c in pose.skeleton.connections {
        guard let a = local(c.a), let b = local(c.b) else { continue }
        let visible =
          pose.isVisible(c.a, threshold: style.visibilityThreshold)
          && pose.isVisible(c.b, threshold: style.visibilityThreshold)
        let color = style.color(for: c.side)
        if halfBlocks {
          LineRaster.rasterize(from: a, to: b, width: rect.width, height: 2 * rect.height) { x, y, step, _ in
            if !visible && step % 2 == 1 { return }
            paintHalf(
              &g, x: rect.x + x, halfRow: 2 * rect.y + y, color: color,
              strength: visible ? 1 : style.dimFactor)
          }
        } else {
          let ca = Vec2(a.x, a.y / 2)
          let cb = Vec2(b.x, b.y / 2)
          let glyph: Unicode.Scalar = visible ? AsciiCanvas.lineGlyph(dx: cb.x - ca.x, dy: cb.y - ca.y) : "."
          let attributes: CellAttributes = visible ? [.bold] : [.dim]
          let fg: Color = mode.hasColor ? color : .terminalDefault
          LineRaster.rasterize(from: ca, to: cb, width: rect.width, height: rect.height) { x, y, _, _ in
            g.set(x: rect.x + x, y: rect.y + y, Cell(glyph, foreground: fg, attributes: attributes))
          }
        }
      }
      for i in pose.points.indices {
        guard let p = local(i) else { continue }
        let visible = pose.isVisible(i, threshold: style.visibilityThreshold)
        let side = i < pose.skeleton.jointSides.count ? pose.skeleton.jointSides[i] : .centre
        let color = style.color(for: side)
        guard p.x > -1e6, p.x < 1e6, p.y > -1e6, p.y < 1e6 else { continue }
        let x = Int(p.x.rounded(.down))
        let y = Int(p.y.rounded(.down))
        if halfBlocks {
          // A 2 × 2 half-cell square (square on screen), brightened towards white when visible.
          let marker = visible ? color.blended(with: .rgb(255, 255, 255), amount: 0.35) : color
          for (dx, dy) in [(0, 0), (1, 0), (0, 1), (1, 1)]
          where x + dx < rect.width && y + dy < 2 * rect.height {
            paintHalf(
              &g, x: rect.x + x + dx, halfRow: 2 * rect.y + y + dy, color: marker,
              strength: visible ? 1 : style.dimFactor)
          }
        } else {
          let fg: Color = mode.hasColor ? color : .terminalDefault
          g.set(
            x: rect.x + x, y: rect.y + y / 2,
            Cell("o", foreground: fg, attributes: visible ? [.bold] : [.dim]))
        }
      }
    }
  }

  /// Recolours the top (even `halfRow`) or bottom half of a half-block cell, blending with the pixel that
  /// was there by `strength` (1 replaces it).
  static func paintHalf(_ grid: inout CellGrid, x: Int, halfRow: Int, color: Color, strength: Double) {
    let y = halfRow >> 1
    guard grid.clip.contains(x: x, y: y) else { return }
    var cell = grid[x, y]
    if cell.scalar != halfBlock {
      cell = Cell(halfBlock, foreground: cell.background, background: cell.background)
    }
    if halfRow & 1 == 0 {
      cell.foreground = strength >= 1 ? color : cell.foreground.blended(with: color, amount: strength)
    } else {
      cell.background = strength >= 1 ? color : cell.background.blended(with: color, amount: strength)
    }
    grid.set(x: x, y: y, cell)
  }
}
