// MediaIO: the RGB8 `Image` value type, pixel access, and area/bilinear resizing.

/// One 8-bit RGB pixel.
public struct RGB: Equatable, Hashable, Sendable, CustomStringConvertible {
  /// Red, 0...255.
  public var r: UInt8
  /// Green, 0...255.
  public var g: UInt8
  /// Blue, 0...255.
  public var b: UInt8

  /// Creates a pixel from its three components.
  public init(_ r: UInt8, _ g: UInt8, _ b: UInt8) {
    self.r = r
    self.g = g
    self.b = b
  }

  /// `rgb(r, g, b)`.
  public var description: String { "rgb(\(r), \(g), \(b))" }
}

/// An 8-bit RGB image: row-major, 3 bytes per pixel (R, G, B), no padding between rows.
///
/// Invariant: `width >= 1`, `height >= 1` and `pixels.count == width * height * 3`. The initializer checks
/// it and `pixels` can only be changed through pixel-level setters, so every `Image` is well-formed.
public struct Image: Sendable, Equatable, CustomStringConvertible {
  /// Width in pixels (>= 1).
  public let width: Int
  /// Height in pixels (>= 1).
  public let height: Int
  /// The pixel bytes: pixel (x, y) is at `(y * width + x) * 3` as R, G, B.
  public private(set) var pixels: [UInt8]

  /// A short summary, e.g. `Image(810x1080 RGB8)` (not the pixels, so failure messages stay readable).
  public var description: String { "Image(\(width)x\(height) RGB8)" }

  /// Creates an image, or returns nil unless `width >= 1`, `height >= 1` and
  /// `pixels.count == width * height * 3` (without overflow).
  public init?(width: Int, height: Int, pixels: [UInt8]) {
    guard width >= 1, height >= 1 else { return nil }
    let (area, overflow1) = width.multipliedReportingOverflow(by: height)
    let (count, overflow2) = area.multipliedReportingOverflow(by: 3)
    guard !overflow1, !overflow2, count == pixels.count else { return nil }
    self.width = width
    self.height = height
    self.pixels = pixels
  }

  /// Creates a `width` x `height` image filled with `color`, or nil if a side is < 1 or the size overflows.
  public init?(width: Int, height: Int, color: RGB) {
    guard width >= 1, height >= 1 else { return nil }
    let (area, overflow) = width.multipliedReportingOverflow(by: height)
    guard !overflow, area <= Int.max / 3 else { return nil }
    var bytes = [UInt8](repeating: 0, count: area * 3)
    bytes.withUnsafeMutableBufferPointer { buffer in
      var index = 0
      while index < buffer.count {
        buffer[index] = color.r
        buffer[index + 1] = color.g
        buffer[index + 2] = color.b
        index += 3
      }
    }
    self.width = width
    self.height = height
    self.pixels = bytes
  }

  /// Creates an image whose size the caller has already validated (decoders, resizing).
  init(validatedWidth width: Int, height: Int, pixels: [UInt8]) {
    precondition(width >= 1 && height >= 1 && pixels.count == width * height * 3)
    self.width = width
    self.height = height
    self.pixels = pixels
  }

  /// The pixel at column `x`, row `y`. Precondition: `0 <= x < width` and `0 <= y < height` (like an array
  /// index); use `pixel(x:y:)` for a checked read.
  public subscript(x: Int, y: Int) -> RGB {
    get {
      precondition(x >= 0 && x < width && y >= 0 && y < height, "pixel (\(x), \(y)) outside the image")
      let offset = (y * width + x) * 3
      return RGB(pixels[offset], pixels[offset + 1], pixels[offset + 2])
    }
    set {
      precondition(x >= 0 && x < width && y >= 0 && y < height, "pixel (\(x), \(y)) outside the image")
      let offset = (y * width + x) * 3
      pixels[offset] = newValue.r
      pixels[offset + 1] = newValue.g
      pixels[offset + 2] = newValue.b
    }
  }

  /// The pixel at column `x`, row `y`, or nil when the position is outside the image.
  public func pixel(x: Int, y: Int) -> RGB? {
    guard x >= 0, x < width, y >= 0, y < height else { return nil }
    return self[x, y]
  }

  /// Sets the pixel at (`x`, `y`) when it is inside the image; positions outside are ignored (for drawing
  /// shapes that may be clipped by the image border).
  public mutating func setPixel(x: Int, y: Int, _ color: RGB) {
    guard x >= 0, x < width, y >= 0, y < height else { return }
    self[x, y] = color
  }

  /// A resampled copy of size `width` x `height`.
  ///
  /// Each axis is resampled separately: an axis that shrinks uses an exact box (area-coverage) filter, an
  /// axis that grows or keeps its size uses bilinear interpolation with pixel centers at `i + 0.5`
  /// (OpenCV's INTER_AREA / INTER_LINEAR conventions; an unchanged axis is copied exactly). Results are
  /// rounded to the nearest integer. Requested sides are clamped to `1...ImageLimits.maxSide`.
  public func resized(width newWidth: Int, height newHeight: Int) -> Image {
    let outWidth = min(max(newWidth, 1), ImageLimits.maxSide)
    let outHeight = min(max(newHeight, 1), ImageLimits.maxSide)
    if outWidth == width && outHeight == height { return self }
    let columns = Resampling.taps(source: width, destination: outWidth)
    let rows = Resampling.taps(source: height, destination: outHeight)

    // Horizontal pass: height x outWidth x 3 floats.
    var horizontal = [Float](repeating: 0, count: height * outWidth * 3)
    pixels.withUnsafeBufferPointer { src in
      horizontal.withUnsafeMutableBufferPointer { dst in
        for y in 0..<height {
          let srcRow = y * width * 3
          let dstRow = y * outWidth * 3
          for x in 0..<outWidth {
            var r: Float = 0
            var g: Float = 0
            var b: Float = 0
            for tap in columns.range(x) {
              let offset = srcRow + columns.index[tap] * 3
              let weight = columns.weight[tap]
              r += Float(src[offset]) * weight
              g += Float(src[offset + 1]) * weight
              b += Float(src[offset + 2]) * weight
            }
            dst[dstRow + x * 3] = r
            dst[dstRow + x * 3 + 1] = g
            dst[dstRow + x * 3 + 2] = b
          }
        }
      }
    }

    // Vertical pass: weighted sum of horizontal rows into one float row, rounded once into bytes.
    let rowLength = outWidth * 3
    var out = [UInt8](repeating: 0, count: rowLength * outHeight)
    var accumulator = [Float](repeating: 0, count: rowLength)
    horizontal.withUnsafeBufferPointer { src in
      out.withUnsafeMutableBufferPointer { dst in
        accumulator.withUnsafeMutableBufferPointer { acc in
          for y in 0..<outHeight {
            for i in 0..<rowLength { acc[i] = 0 }
            for tap in rows.range(y) {
              let srcRow = rows.index[tap] * rowLength
              let weight = rows.weight[tap]
              for i in 0..<rowLength { acc[i] += src[srcRow + i] * weight }
            }
            let dstRow = y * rowLength
            for i in 0..<rowLength { dst[dstRow + i] = UInt8(min(max(acc[i].rounded(), 0), 255)) }
          }
        }
      }
    }
    return Image(validatedWidth: outWidth, height: outHeight, pixels: out)
  }
}

/// Per-axis resampling weights: for each destination index, a run of (source index, weight) taps.
struct Resampling {
  /// Start of each destination index's taps in `index`/`weight`; `start.count == destination + 1`.
  var start: [Int] = [0]
  /// Source index of each tap.
  var index: [Int] = []
  /// Weight of each tap; the weights of one destination index sum to 1.
  var weight: [Float] = []

  /// The tap positions of destination index `i`.
  func range(_ i: Int) -> Range<Int> { start[i]..<start[i + 1] }

  /// Box (area) taps when shrinking, bilinear taps otherwise.
  static func taps(source: Int, destination: Int) -> Resampling {
    var result = Resampling()
    let scale = Double(source) / Double(destination)
    for i in 0..<destination {
      if destination < source {
        // Destination pixel i covers source interval [i * scale, (i + 1) * scale).
        let lo = Double(i) * scale
        let hi = min(Double(i + 1) * scale, Double(source))
        var s = Int(lo.rounded(.down))
        while s < source && Double(s) < hi {
          let overlap = min(hi, Double(s + 1)) - max(lo, Double(s))
          if overlap > 1e-9 {
            result.index.append(s)
            result.weight.append(Float(overlap / scale))
          }
          s += 1
        }
      } else {
        let center = min(max((Double(i) + 0.5) * scale - 0.5, 0), Double(source - 1))
        let i0 = Int(center.rounded(.down))
        let fraction = center - Double(i0)
        result.index.append(i0)
        result.weight.append(Float(1 - fraction))
        if fraction > 0 && i0 + 1 < source {
          result.index.append(i0 + 1)
          result.weight.append(Float(fraction))
        }
      }
      result.start.append(result.index.count)
    }
    return result
  }
}
