// MediaIO: bounds-checked EXIF orientation parsing from JPEG APP1 segments, and the 8 orientation transforms.

/// EXIF orientation support (tag 0x0112 in IFD0 of the first "Exif" APP1 segment).
enum EXIF {
  /// The EXIF orientation (1...8) of a JPEG stream, or 1 when absent, malformed or out of range.
  ///
  /// Walks the marker segments from SOI up to the first SOS; every length and offset is checked, so
  /// damaged metadata never fails a decode, it is just ignored.
  static func orientation(inJPEG bytes: [UInt8]) -> Int {
    guard bytes.count >= 4, bytes[0] == 0xFF, bytes[1] == 0xD8 else { return 1 }
    var position = 2
    while position + 1 < bytes.count {
      guard bytes[position] == 0xFF else { return 1 }
      var markerAt = position + 1
      while markerAt < bytes.count && bytes[markerAt] == 0xFF { markerAt += 1 }  // fill bytes
      guard markerAt < bytes.count else { return 1 }
      let marker = bytes[markerAt]
      position = markerAt + 1
      if marker == 0xDA || marker == 0xD9 { return 1 }  // start of scan / end of image: no EXIF found
      if (0xD0...0xD7).contains(marker) || marker == 0x01 || marker == 0xD8 { continue }  // no length
      guard position + 2 <= bytes.count else { return 1 }
      let length = Int(bytes[position]) << 8 | Int(bytes[position + 1])
      guard length >= 2, position + length <= bytes.count else { return 1 }
      let payload = (position + 2)..<(position + length)
      if marker == 0xE1 && bytes[payload].starts(with: [0x45, 0x78, 0x69, 0x66, 0x00, 0x00]) {  // "Exif\0\0"
        return orientation(tiff: bytes[(payload.lowerBound + 6)..<payload.upperBound])
      }
      position += length
    }
    return 1
  }

  /// The orientation from a TIFF structure ("II" or "MM" header, IFD0), or 1.
  static func orientation(tiff: ArraySlice<UInt8>) -> Int {
    let data = Array(tiff)
    guard data.count >= 8 else { return 1 }
    let littleEndian: Bool
    switch (data[0], data[1]) {
    case (0x49, 0x49): littleEndian = true
    case (0x4D, 0x4D): littleEndian = false
    default: return 1
    }
    func u16(_ at: Int) -> Int? {
      guard at >= 0, at + 2 <= data.count else { return nil }
      let (a, b) = (Int(data[at]), Int(data[at + 1]))
      return littleEndian ? a | b << 8 : a << 8 | b
    }
    func u32(_ at: Int) -> Int? {
      guard let lo = u16(littleEndian ? at : at + 2), let hi = u16(littleEndian ? at + 2 : at) else {
        return nil
      }
      return hi << 16 | lo
    }
    guard u16(2) == 42, let ifd = u32(4), let count = u16(ifd) else { return 1 }
    for entry in 0..<count {
      let at = ifd + 2 + entry * 12
      guard let tag = u16(at), let type = u16(at + 2), let valueCount = u32(at + 4) else { return 1 }
      guard tag == 0x0112 else { continue }
      let value: Int?
      switch type {
      case 3: value = valueCount >= 1 ? u16(at + 8) : nil  // SHORT, stored in the first 2 value bytes
      case 4: value = valueCount >= 1 ? u32(at + 8) : nil  // LONG (non-standard but seen)
      default: value = nil
      }
      guard let value, (1...8).contains(value) else { return 1 }
      return value
    }
    return 1
  }

  /// The image as it should be displayed for EXIF `orientation`: 2 mirror left-right, 3 rotate 180,
  /// 4 mirror top-bottom, 5 transpose, 6 rotate 90 clockwise, 7 transverse, 8 rotate 90 counter-clockwise.
  /// Orientations 5-8 swap width and height; anything else returns the image unchanged.
  static func apply(orientation: Int, to image: Image) -> Image {
    guard (2...8).contains(orientation) else { return image }
    let w = image.width
    let h = image.height
    let swaps = orientation >= 5
    let outWidth = swaps ? h : w
    let outHeight = swaps ? w : h
    // Source position of output (x, y) is origin + x * stepX + y * stepY (in pixels of the source).
    let origin: (Int, Int)
    let stepX: (Int, Int)
    let stepY: (Int, Int)
    switch orientation {
    case 2: (origin, stepX, stepY) = ((w - 1, 0), (-1, 0), (0, 1))
    case 3: (origin, stepX, stepY) = ((w - 1, h - 1), (-1, 0), (0, -1))
    case 4: (origin, stepX, stepY) = ((0, h - 1), (1, 0), (0, -1))
    case 5: (origin, stepX, stepY) = ((0, 0), (0, 1), (1, 0))
    case 6: (origin, stepX, stepY) = ((0, h - 1), (0, -1), (1, 0))
    case 7: (origin, stepX, stepY) = ((w - 1, h - 1), (0, -1), (-1, 0))
    default: (origin, stepX, stepY) = ((w - 1, 0), (0, 1), (-1, 0))  // 8
    }
    let dx = (stepX.0 + stepX.1 * w) * 3  // byte step in the source per output column
    let dy = (stepY.0 + stepY.1 * w) * 3  // byte step in the source per output row
    let start = (origin.0 + origin.1 * w) * 3
    let pixels = [UInt8](unsafeUninitializedCapacity: w * h * 3) { out, count in
      image.pixels.withUnsafeBufferPointer { src in
        var o = 0
        for y in 0..<outHeight {
          var s = start + y * dy
          for _ in 0..<outWidth {
            out[o] = src[s]
            out[o + 1] = src[s + 1]
            out[o + 2] = src[s + 2]
            o += 3
            s += dx
          }
        }
      }
      count = w * h * 3
    }
    return Image(validatedWidth: outWidth, height: outHeight, pixels: pixels)
  }
}
