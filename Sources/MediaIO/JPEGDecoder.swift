// MediaIO: JPEG decoding with TurboJPEG (accurate DCT, fancy upsampling), CMYK conversion, truncation checks.
import CTurboJPEG

/// JPEG decoding through the TurboJPEG 2.x API.
enum JPEGDecoder {
  /// The displayed size (EXIF orientation applied) from the frame header, without decoding pixels.
  static func size(_ bytes: [UInt8], path: String) throws(MediaIOError) -> ImageDecoder.Size {
    guard let handle = tjInitDecompress() else {
      throw MediaIOError(path: path, kind: .corrupt("cannot create a TurboJPEG decompressor"))
    }
    defer { tjDestroy(handle) }
    let (w, h, _) = try header(handle, bytes, path: path)
    let swaps = EXIF.orientation(inJPEG: bytes) >= 5
    return swaps ? ImageDecoder.Size(width: h, height: w) : ImageDecoder.Size(width: w, height: h)
  }

  /// The frame header: size and colour space, checked (a stream without a frame, a size over the limits).
  private static func header(_ handle: tjhandle, _ bytes: [UInt8], path: String) throws(MediaIOError) -> (
    width: Int, height: Int, colorspace: Int32
  ) {
    var width: Int32 = 0
    var height: Int32 = 0
    var subsampling: Int32 = 0
    var colorspace: Int32 = 0
    let headerStatus = bytes.withUnsafeBufferPointer { input in
      tjDecompressHeader3(
        handle, input.baseAddress, UInt(input.count), &width, &height, &subsampling, &colorspace)
    }
    if headerStatus != 0 {
      throw failure(handle, path: path)
    }
    let w = Int(width)
    let h = Int(height)
    if w < 1 || h < 1 {
      // TurboJPEG reports 0x0 for a stream without a frame header (tables only, or cut off before it).
      if errorString(handle).lowercased().contains("premature end") {
        throw MediaIOError(path: path, kind: .truncated)
      }
      throw MediaIOError(path: path, kind: .corrupt("no image frame in the JPEG data (\(w)x\(h))"))
    }
    guard ImageLimits.accepts(width: w, height: h) else {
      throw MediaIOError(path: path, kind: .tooLarge(width: w, height: h))
    }
    return (w, h, colorspace)
  }

  /// Decodes JPEG bytes to RGB8 and applies the EXIF orientation.
  ///
  /// Decoding uses TurboJPEG's defaults (accurate integer IDCT, smooth "fancy" chroma upsampling) plus
  /// `TJFLAG_LIMITSCANS` (rejects progressive files with an abusive number of scans). Grayscale JPEGs come
  /// out with R = G = B; CMYK/YCCK JPEGs (Adobe inverted convention) are converted with
  /// `R = round(C * K / 255)` etc. as libjpeg-turbo's own tools do.
  ///
  /// libjpeg-turbo reports damaged data as warnings and fills missing pixels with grey. Here a warning about
  /// premature end of data is a `truncated` error, and warnings that mean the entropy-coded data lost
  /// synchronization (bad Huffman/arithmetic code, a wrong or misplaced restart marker) or cannot be decoded
  /// (invalid scan parameters for a sequential JPEG) are `corrupt`, as is any message that is not one of
  /// libjpeg's warnings (a fatal error that followed a warning).
  /// Other warnings are ignored: extraneous bytes before a non-restart marker (a common encoder quirk, e.g.
  /// junk before the end-of-image marker), a bad ICC marker, an unknown JFIF revision. Note that
  /// libjpeg-turbo's fast Huffman path does not report most bit errors in the scan data at all, so such
  /// damage decodes to wrong pixels without an error.
  static func decode(_ bytes: [UInt8], path: String) throws(MediaIOError) -> Image {
    guard let handle = tjInitDecompress() else {
      throw MediaIOError(path: path, kind: .corrupt("cannot create a TurboJPEG decompressor"))
    }
    defer { tjDestroy(handle) }
    let (w, h, colorspace) = try header(handle, bytes, path: path)
    let isCMYK = colorspace == Int32(TJCS_CMYK.rawValue) || colorspace == Int32(TJCS_YCCK.rawValue)
    let pixelFormat = isCMYK ? Int32(TJPF_CMYK.rawValue) : Int32(TJPF_RGB.rawValue)
    let channels = isCMYK ? 4 : 3

    // A large frame is first decoded at 1/8 scale (1/64 of the pixels), stopping at the first warning, so
    // that damaged data in a small file claiming a huge frame is found before the full-size buffer (up to
    // 1 GiB) is allocated and filled.
    if w * h > probePixels {
      let (pw, ph) = ((w + 7) / 8, (h + 7) / 8)
      var probe = [UInt8](repeating: 0, count: pw * ph * channels)
      let status = decompress(
        handle, bytes, into: &probe, width: Int32(pw), height: Int32(ph), format: pixelFormat,
        extraFlags: TJFLAG_STOPONWARNING)
      if status != 0 {
        let message = errorString(handle)
        guard tjGetErrorCode(handle) == Int32(TJERR_WARNING.rawValue) else {
          throw fatalFailure(message, path: path)
        }
        if let error = classify(message, fatal: false, path: path) { throw error }
      }
    }
    var buffer = [UInt8](repeating: 0, count: w * h * channels)

    // First pass stops at the first warning, so its message is the first problem found (later messages
    // would overwrite it). Most files decode without any warning, in this single pass.
    let strict = decompress(
      handle, bytes, into: &buffer, width: Int32(w), height: Int32(h), format: pixelFormat,
      extraFlags: TJFLAG_STOPONWARNING)
    if strict != 0 {
      let code = tjGetErrorCode(handle)
      let message = errorString(handle)
      guard code == Int32(TJERR_WARNING.rawValue) else {
        throw fatalFailure(message, path: path)
      }
      if let error = classify(message, fatal: false, path: path) { throw error }
      // A harmless warning: decode again without stopping, then check what the full pass reported.
      let lenient = decompress(
        handle, bytes, into: &buffer, width: Int32(w), height: Int32(h),
        format: pixelFormat, extraFlags: 0)
      if lenient != 0 {
        let fatal = tjGetErrorCode(handle) != Int32(TJERR_WARNING.rawValue)
        if let error = classify(errorString(handle), fatal: fatal, path: path) { throw error }
      }
    }

    let rgb = isCMYK ? cmykToRGB(buffer, pixelCount: w * h) : buffer
    let decoded = Image(validatedWidth: w, height: h, pixels: rgb)
    let orientation = EXIF.orientation(inJPEG: bytes)
    return EXIF.apply(orientation: orientation, to: decoded)
  }

  private static func decompress(
    _ handle: tjhandle, _ bytes: [UInt8], into buffer: inout [UInt8], width: Int32, height: Int32,
    format: Int32, extraFlags: Int32
  ) -> Int32 {
    let channels = format == Int32(TJPF_CMYK.rawValue) ? 4 : 3
    return bytes.withUnsafeBufferPointer { input in
      buffer.withUnsafeMutableBufferPointer { output in
        tjDecompress2(
          handle, input.baseAddress, UInt(input.count), output.baseAddress, width,
          width * Int32(channels), height, format, TJFLAG_LIMITSCANS | extraFlags)
      }
    }
  }

  private static func errorString(_ handle: tjhandle) -> String {
    guard let text = tjGetErrorStr2(handle) else { return "" }
    return String(cString: text)
  }

  /// The error for a failed header read.
  private static func failure(_ handle: tjhandle, path: String) -> MediaIOError {
    fatalFailure(errorString(handle), path: path)
  }

  /// Frames with more pixels than this (16 megapixels) are probed at 1/8 scale before the full decode.
  static let probePixels = 16_000_000

  /// How libjpeg's warning messages (JWRN_*) start; any other message is an error.
  static let warningPrefixes = [
    "Corrupt JPEG data", "Premature end", "Warning: unknown JFIF", "Invalid SOS parameters",
    "Inconsistent progression sequence", "Unknown Adobe color transform", "Application transferred too many",
  ]

  /// The error a TurboJPEG message stands for, or nil for a harmless warning.
  private static func classify(_ message: String, fatal: Bool, path: String) -> MediaIOError? {
    let lower = message.lowercased()
    if lower.contains("premature end") {
      return MediaIOError(path: path, kind: .truncated)
    }
    // TurboJPEG keeps reporting "warning" once a warning has occurred, even when a fatal error follows, so
    // a message that is not one of libjpeg's warnings is fatal whatever the code says.
    if fatal || !warningPrefixes.contains(where: message.hasPrefix) {
      return MediaIOError(
        path: path, kind: .corrupt(message.isEmpty ? "TurboJPEG could not decode it" : message))
    }
    // Lost synchronization inside the entropy-coded data: pixels after this point are garbage. Invalid
    // SOS parameters in a sequential JPEG mean the scan cannot be decoded either (the pixels would all be
    // grey, however large the frame header claims the image is).
    let lostSync =
      lower.contains("bad huffman code") || lower.contains("bad arithmetic code")
      || lower.contains("instead of rst") || (0...7).contains { lower.contains("before marker 0xd\($0)") }
      || lower.hasPrefix("invalid sos parameters")
    let prefix = "Corrupt JPEG data: "
    let detail = message.hasPrefix(prefix) ? String(message.dropFirst(prefix.count)) : message
    return lostSync ? MediaIOError(path: path, kind: .corrupt(detail)) : nil
  }

  /// The error for a fatal TurboJPEG failure (never nil).
  private static func fatalFailure(_ message: String, path: String) -> MediaIOError {
    classify(message, fatal: true, path: path) ?? MediaIOError(path: path, kind: .corrupt(message))
  }

  /// Inverted (Adobe) CMYK to RGB: `R = round(C * K / 255)`, likewise G from M and B from Y.
  private static func cmykToRGB(_ cmyk: [UInt8], pixelCount: Int) -> [UInt8] {
    [UInt8](unsafeUninitializedCapacity: pixelCount * 3) { out, count in
      cmyk.withUnsafeBufferPointer { src in
        for i in 0..<pixelCount {
          let k = UInt32(src[4 * i + 3])
          out[3 * i] = UInt8((UInt32(src[4 * i]) * k + 127) / 255)
          out[3 * i + 1] = UInt8((UInt32(src[4 * i + 1]) * k + 127) / 255)
          out[3 * i + 2] = UInt8((UInt32(src[4 * i + 2]) * k + 127) / 255)
        }
      }
      count = pixelCount * 3
    }
  }
}
