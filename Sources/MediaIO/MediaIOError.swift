// MediaIO: the module's error type and the documented size limits for decoding.

/// Limits that every decode checks before it allocates pixel memory.
///
/// A file larger than `maxFileBytes` is rejected before it is read; an image whose header claims a side
/// longer than `maxSide` or more than `maxPixels` pixels is rejected as `tooLarge` before any pixel buffer
/// is allocated. At the limit an RGB8 image takes 768 MiB.
public enum ImageLimits {
  /// The longest accepted side, in pixels (32768).
  public static let maxSide = 32_768
  /// The most pixels accepted in one image (268,435,456 = 256 megapixels).
  public static let maxPixels = 268_435_456
  /// The largest accepted image file, in bytes (256 MiB).
  public static let maxFileBytes = 256 * 1024 * 1024

  /// Whether an image of `width` x `height` is within `maxSide` and `maxPixels` (and both sides are >= 1).
  static func accepts(width: Int, height: Int) -> Bool {
    guard width >= 1, height >= 1, width <= maxSide, height <= maxSide else { return false }
    return width * height <= maxPixels  // cannot overflow: both <= 32768
  }
}

/// An image file or frame folder that could not be read, decoded or written, with the path and the reason.
public struct MediaIOError: Error, CustomStringConvertible, Equatable, Sendable {
  /// Why the operation failed.
  public enum Kind: Equatable, Sendable {
    /// Nothing exists at the path.
    case fileNotFound
    /// The path exists but could not be opened or read (the detail says why, e.g. permission denied).
    case unreadable(String)
    /// An image file was expected but the path is a directory.
    case isADirectory
    /// A frame folder was expected but the path is not a directory.
    case notADirectory
    /// The file has zero bytes.
    case empty
    /// The file is larger than `ImageLimits.maxFileBytes`.
    case fileTooLarge(bytes: Int)
    /// The bytes are neither PNG nor JPEG; the detail shows how the file starts.
    case unsupportedFormat(String)
    /// The PNG or JPEG data is damaged or uses a variant the decoder cannot read (e.g. 12-bit JPEG); the
    /// detail is the decoder's message.
    case corrupt(String)
    /// The PNG or JPEG data ends before the image is complete.
    case truncated
    /// The header claims dimensions beyond `ImageLimits` (rejected before allocating).
    case tooLarge(width: Int, height: Int)
    /// The folder has no .png/.jpg/.jpeg files; `otherEntries` counts what it does contain.
    case noImageFiles(otherEntries: Int)
    /// Writing the output file failed (the detail says which step and why).
    case writeFailed(String)
  }

  /// The file or folder the error is about, as the caller spelled it.
  public let path: String
  /// Why the operation failed.
  public let kind: Kind

  /// Creates an error about `path`.
  public init(path: String, kind: Kind) {
    self.path = path
    self.kind = kind
  }

  /// `"<path>: <reason>"`, e.g. `bus.png: not a PNG or JPEG image (starts with "hello")`.
  public var description: String {
    let reason: String
    switch kind {
    case .fileNotFound:
      reason = "no such file or folder"
    case .unreadable(let detail):
      reason = "cannot read: \(detail)"
    case .isADirectory:
      reason = "is a folder, expected a PNG or JPEG image file"
    case .notADirectory:
      reason = "is not a folder (expected a folder of .png/.jpg frames)"
    case .empty:
      reason = "file is empty (0 bytes), not a PNG or JPEG image"
    case .fileTooLarge(let bytes):
      reason = "file is \(bytes) bytes, over the \(ImageLimits.maxFileBytes)-byte limit for images"
    case .unsupportedFormat(let detail):
      reason = "not a PNG or JPEG image (\(detail))"
    case .corrupt(let detail):
      reason = "corrupt or unsupported image data: \(detail)"
    case .truncated:
      reason = "image data is truncated (the file ends early); re-copy or re-export it"
    case .tooLarge(let width, let height):
      reason =
        "image is \(width)x\(height), over the limit of \(ImageLimits.maxSide) pixels per side and "
        + "\(ImageLimits.maxPixels) pixels in total"
    case .noImageFiles(let otherEntries):
      let contents = otherEntries == 0 ? "it is empty" : "it has \(otherEntries) other entries"
      reason = "folder has no .png/.jpg/.jpeg image files (\(contents))"
    case .writeFailed(let detail):
      reason = "cannot write: \(detail)"
    }
    return "\(path): \(reason)"
  }
}
