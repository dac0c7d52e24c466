// MediaIO: PNG decoding and encoding with libpng's simplified png_image API (no setjmp-based calls).
import CPNG

/// PNG decoding/encoding through `png_image_*`.
enum PNGCodec {
  /// The 8-byte PNG signature.
  static let signature: [UInt8] = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]

  /// Decodes PNG bytes to RGB8.
  ///
  /// Any bit depth and color type is accepted. Samples are taken as sRGB-encoded: a gAMA chunk is ignored
  /// (as Pillow and OpenCV do; libpng would otherwise gamma-convert such files), and 16-bit samples are
  /// scaled to 8 bits as `round(v / 257)` (Pillow/OpenCV truncate to `v >> 8`, at most 1 lower). An alpha
  /// channel (RGBA, grey+alpha, or palette/tRNS transparency) is composited onto black in sRGB space:
  /// `out = round(c * a / 255)`.
  static func decode(_ bytes: [UInt8], path: String) throws(MediaIOError) -> Image {
    let bytes = withoutGammaChunk(bytes)
    // Check the dimensions in IHDR ourselves first so that oversized headers are reported as `tooLarge`
    // (libpng would otherwise reject some with a generic "exceeds user limit" message).
    if bytes.count >= 24 && bytes[12] == 0x49 && bytes[13] == 0x48 && bytes[14] == 0x44 && bytes[15] == 0x52 {
      let width = Int(readBE32(bytes, 16))
      let height = Int(readBE32(bytes, 20))
      if width > ImageLimits.maxSide || height > ImageLimits.maxSide
        || (width >= 1 && height >= 1 && !ImageLimits.accepts(width: width, height: height))
      {
        throw MediaIOError(path: path, kind: .tooLarge(width: width, height: height))
      }
      // Deflate never compresses more than 1032:1, so a file too small to hold the rows its header claims
      // is truncated: said before the full-size buffer (up to 1 GiB) is allocated.
      if bytes.count >= 26, width >= 1, height >= 1 {
        let samples: [UInt8: Int] = [0: 1, 2: 3, 3: 1, 4: 2, 6: 4]
        if let perPixel = samples[bytes[25]] {
          let rowBytes = (width * perPixel * Int(bytes[24]) + 7) / 8
          if rowBytes * height > bytes.count * 1032 {
            throw MediaIOError(path: path, kind: .truncated)
          }
        }
      }
    }

    var image = png_image()
    image.version = posescope_png_image_version()
    image.opaque = nil
    let result: Result<Image, MediaIOError> = bytes.withUnsafeBufferPointer { input in
      guard let base = input.baseAddress,
        png_image_begin_read_from_memory(&image, base, input.count) != 0
      else {
        return .failure(failure(&image, path: path))
      }
      defer { png_image_free(&image) }
      let width = Int(image.width)
      let height = Int(image.height)
      guard ImageLimits.accepts(width: width, height: height) else {
        return .failure(MediaIOError(path: path, kind: .tooLarge(width: width, height: height)))
      }
      let hasAlpha = image.format & posescope_png_format_flag_alpha() != 0
      image.flags |= posescope_png_image_flag_16bit_srgb()
      image.format = hasAlpha ? posescope_png_format_rgba() : posescope_png_format_rgb()
      let channels = hasAlpha ? 4 : 3
      let stride = width * channels
      var buffer = [UInt8](repeating: 0, count: stride * height)
      let ok = buffer.withUnsafeMutableBytes { out in
        png_image_finish_read(&image, nil, out.baseAddress, Int32(stride), nil) != 0
      }
      guard ok else { return .failure(failure(&image, path: path)) }
      let pixels = hasAlpha ? compositeOnBlack(buffer, pixelCount: width * height) : buffer
      return .success(Image(validatedWidth: width, height: height, pixels: pixels))
    }
    return try result.get()
  }

  /// The error for a failed `png_image_*` call, classified from libpng's message.
  private static func failure(_ image: inout png_image, path: String) -> MediaIOError {
    let message = String(cString: posescope_png_image_message(&image))
    let lower = message.lowercased()
    if lower.contains("beyond end of data") || lower.contains("not enough image data") {
      return MediaIOError(path: path, kind: .truncated)
    }
    return MediaIOError(path: path, kind: .corrupt(message.isEmpty ? "libpng could not decode it" : message))
  }

  /// `bytes` without its gAMA chunk (before the first IDAT), or `bytes` itself when it has none or the
  /// chunk structure cannot be walked (libpng then reports the damage).
  static func withoutGammaChunk(_ bytes: [UInt8]) -> [UInt8] {
    var at = 8
    while at + 12 <= bytes.count {
      let length = Int(readBE32(bytes, at))
      let (end, overflow) = at.addingReportingOverflow(12 + length)
      guard !overflow, end <= bytes.count else { return bytes }
      let type = (bytes[at + 4], bytes[at + 5], bytes[at + 6], bytes[at + 7])
      if type == (0x67, 0x41, 0x4D, 0x41) {  // "gAMA"
        return Array(bytes[..<at]) + bytes[end...]
      }
      if type == (0x49, 0x44, 0x41, 0x54) { return bytes }  // "IDAT": gAMA must come before it
      at = end
    }
    return bytes
  }

  /// RGBA8 (straight alpha) to RGB8 composited onto black: `round(c * a / 255)` per channel.
  private static func compositeOnBlack(_ rgba: [UInt8], pixelCount: Int) -> [UInt8] {
    [UInt8](unsafeUninitializedCapacity: pixelCount * 3) { out, count in
      rgba.withUnsafeBufferPointer { src in
        for i in 0..<pixelCount {
          let alpha = UInt32(src[4 * i + 3])
          // (c * a + 127) / 255 rounds to nearest; c * a / 255 is never exactly halfway.
          out[3 * i] = UInt8((UInt32(src[4 * i]) * alpha + 127) / 255)
          out[3 * i + 1] = UInt8((UInt32(src[4 * i + 1]) * alpha + 127) / 255)
          out[3 * i + 2] = UInt8((UInt32(src[4 * i + 2]) * alpha + 127) / 255)
        }
      }
      count = pixelCount * 3
    }
  }

  /// Encodes an image as an 8-bit RGB PNG (with the sRGB chunk libpng's simplified writer adds).
  static func encode(_ image: Image, path: String) throws(MediaIOError) -> [UInt8] {
    guard ImageLimits.accepts(width: image.width, height: image.height) else {
      throw MediaIOError(path: path, kind: .tooLarge(width: image.width, height: image.height))
    }
    var png = png_image()
    png.version = posescope_png_image_version()
    png.opaque = nil
    png.width = UInt32(image.width)
    png.height = UInt32(image.height)
    png.format = posescope_png_format_rgb()
    png.flags = 0
    var capacity = Int(posescope_png_image_png_size_max(&png))
    for _ in 0..<2 {
      var output = [UInt8](repeating: 0, count: capacity)
      var size = png_alloc_size_t(capacity)
      let ok = image.pixels.withUnsafeBytes { input in
        output.withUnsafeMutableBytes { out in
          png_image_write_to_memory(&png, out.baseAddress, &size, 0, input.baseAddress, 0, nil) != 0
        }
      }
      png_image_free(&png)
      if ok {
        output.removeSubrange(Int(size)...)
        return output
      }
      // libpng reports the needed size (larger than ours) when only the buffer was too small.
      if Int(size) > capacity {
        capacity = Int(size)
        png.warning_or_error = 0
        continue
      }
      let message = String(cString: posescope_png_image_message(&png))
      throw MediaIOError(path: path, kind: .writeFailed("PNG encoding failed: \(message)"))
    }
    throw MediaIOError(path: path, kind: .writeFailed("PNG encoding failed: output buffer too small"))
  }

  /// The big-endian 32-bit value at `offset` (caller checks bounds).
  private static func readBE32(_ bytes: [UInt8], _ offset: Int) -> UInt32 {
    UInt32(bytes[offset]) << 24 | UInt32(bytes[offset + 1]) << 16 | UInt32(bytes[offset + 2]) << 8
      | UInt32(bytes[offset + 3])
  }
}
