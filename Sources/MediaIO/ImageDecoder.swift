// MediaIO: the public entry points for reading (format sniffing by magic bytes) and writing image files.

/// Reads PNG and JPEG images into RGB8 `Image`s.
///
/// The format is detected from the first bytes, never from the file extension. Limits from `ImageLimits`
/// are checked before any pixel memory is allocated. PNG: any bit depth/color type, alpha composited onto
/// black. JPEG: TurboJPEG default decoding (accurate IDCT, fancy upsampling), grayscale and CMYK converted
/// to RGB, and the EXIF orientation applied. PNG orientation metadata (eXIf) is not applied.
public enum ImageDecoder {
  /// The image formats the decoder recognizes.
  public enum Format: Equatable, Sendable {
    case png
    case jpeg
  }

  /// An image's size in pixels, as displayed (a JPEG's EXIF orientation applied).
  public struct Size: Equatable, Hashable, Sendable {
    public var width: Int
    public var height: Int
    public init(width: Int, height: Int) {
      self.width = width
      self.height = height
    }
  }

  /// The size of the PNG or JPEG file at `path` from its header, without decoding the pixels (equal to
  /// the size of the image `load` returns).
  ///
  /// Throws the `MediaIOError` of `load` for a file that cannot be read or has no valid header.
  public static func size(path: String) throws(MediaIOError) -> Size {
    // The header is read, not the whole file: a JPEG's frame header usually sits within its first
    // kilobytes (after EXIF, at most 64 KiB); only when it lies further is the whole file read.
    let head = try FileIO.readFile(path, limit: ImageLimits.maxFileBytes, prefix: headerBytes)
    guard head.count == headerBytes else { return try size(of: head, path: path) }
    do {
      return try size(of: head, path: path)
    } catch {
      return try size(of: FileIO.readFile(path, limit: ImageLimits.maxFileBytes), path: path)
    }
  }

  /// Bytes read for `size(path:)` before falling back to the whole file.
  static let headerBytes = 128 << 10

  /// The size from a PNG's IHDR or a JPEG's frame header in `bytes`.
  private static func size(of bytes: [UInt8], path: String) throws(MediaIOError) -> Size {
    switch try format(of: bytes, path: path) {
    case .png:
      // The IHDR chunk comes first: width and height are big-endian at bytes 16 and 20.
      guard bytes.count >= 24 else { throw MediaIOError(path: path, kind: .truncated) }
      func be32(_ i: Int) -> Int { bytes[i..<i + 4].reduce(0) { $0 << 8 | Int($1) } }
      let size = Size(width: be32(16), height: be32(20))
      guard size.width > 0, size.height > 0 else {
        throw MediaIOError(path: path, kind: .corrupt("the PNG header gives a size of 0"))
      }
      return size
    case .jpeg:
      return try JPEGDecoder.size(bytes, path: path)
    }
  }

  /// Reads and decodes the PNG or JPEG file at `path`.
  ///
  /// Throws `MediaIOError` with kind `fileNotFound`, `isADirectory`, `unreadable`, `empty`, `fileTooLarge`,
  /// `unsupportedFormat`, `truncated`, `corrupt` or `tooLarge`.
  public static func load(path: String) throws(MediaIOError) -> Image {
    let bytes = try FileIO.readFile(path, limit: ImageLimits.maxFileBytes)
    return try decode(bytes, path: path)
  }

  /// Decodes PNG or JPEG bytes; `path` is only used in error messages.
  public static func decode(_ bytes: [UInt8], path: String) throws(MediaIOError) -> Image {
    guard !bytes.isEmpty else { throw MediaIOError(path: path, kind: .empty) }
    guard bytes.count <= ImageLimits.maxFileBytes else {
      throw MediaIOError(path: path, kind: .fileTooLarge(bytes: bytes.count))
    }
    switch try format(of: bytes, path: path) {
    case .png: return try PNGCodec.decode(bytes, path: path)
    case .jpeg: return try JPEGDecoder.decode(bytes, path: path)
    }
  }

  /// The format of `bytes` from its signature; throws `unsupportedFormat` (showing how the data starts, or
  /// naming a recognized other format), `truncated` when the data is a cut-off signature, or `empty`.
  public static func format(of bytes: [UInt8], path: String) throws(MediaIOError) -> Format {
    guard !bytes.isEmpty else { throw MediaIOError(path: path, kind: .empty) }
    let png = PNGCodec.signature
    if bytes.count >= png.count && Array(bytes[0..<png.count]) == png { return .png }
    if bytes.count >= 3 && bytes[0] == 0xFF && bytes[1] == 0xD8 && bytes[2] == 0xFF { return .jpeg }
    if bytes.count < png.count && Array(png[0..<bytes.count]) == bytes {
      throw MediaIOError(path: path, kind: .truncated)
    }
    if bytes.count < 3 && Array([0xFF, 0xD8, 0xFF][0..<bytes.count]) == bytes {
      throw MediaIOError(path: path, kind: .truncated)
    }
    throw MediaIOError(path: path, kind: .unsupportedFormat(describeStart(bytes)))
  }

  /// "looks like a GIF image" for known other formats, else `starts with "..."` (first 16 bytes, escaped).
  static func describeStart(_ bytes: [UInt8]) -> String {
    func has(_ prefix: String, at offset: Int = 0) -> Bool {
      let p = Array(prefix.utf8)
      return bytes.count >= offset + p.count && Array(bytes[offset..<offset + p.count]) == p
    }
    let known: String?
    if has("GIF87a") || has("GIF89a") {
      known = "GIF"
    } else if has("RIFF") && has("WEBP", at: 8) {
      known = "WebP"
    } else if has("BM") && bytes.count >= 14 {
      known = "BMP"
    } else if has("II*\u{0}") || has("MM\u{0}*") {
      known = "TIFF"
    } else if has("ftypheic", at: 4) || has("ftypheix", at: 4) || has("ftypmif1", at: 4) {
      known = "HEIF"
    } else if has("ftypavif", at: 4) {
      known = "AVIF"
    } else if has("ftyp", at: 4) {
      known = "MP4/QuickTime (a video, not an image)"
    } else {
      known = nil
    }
    if let known { return "looks like a \(known) file; convert it to PNG or JPEG" }
    var text = ""
    for byte in bytes.prefix(16) {
      switch byte {
      case 0x0A: text += "\\n"
      case 0x0D: text += "\\r"
      case 0x09: text += "\\t"
      case 0x22: text += "\\\""
      case 0x5C: text += "\\\\"
      case 0x20...0x7E: text += String(UnicodeScalar(byte))
      default:
        let hex = String(byte, radix: 16, uppercase: true)
        text += "\\x" + (hex.count == 1 ? "0" + hex : hex)
      }
    }
    return "starts with \"\(text)\""
  }
}

/// Writes `Image`s to files.
public enum ImageEncoder {
  /// Encodes `image` as an 8-bit RGB PNG.
  ///
  /// Throws `tooLarge` for images beyond `ImageLimits`; `path` is only used in error messages.
  public static func encodePNG(_ image: Image, path: String = "<memory>") throws(MediaIOError) -> [UInt8] {
    try PNGCodec.encode(image, path: path)
  }

  /// Writes `image` as an 8-bit RGB PNG to `path`, atomically.
  ///
  /// The PNG is encoded in memory, written to a temporary file in the same folder, fsynced and renamed over
  /// `path`, so readers see either the old file or the complete new one. On failure (`tooLarge`,
  /// `writeFailed`) the temporary file is removed and an existing file at `path` is left untouched.
  public static func writePNG(_ image: Image, to path: String) throws(MediaIOError) {
    let bytes = try PNGCodec.encode(image, path: path)
    try FileIO.writeAtomically(bytes, to: path)
  }
}
