// FileSupport: the one bounded whole-file read — a regular file only (a FIFO cannot block it), its size
// checked against a limit before anything is read, a file that grew while being read still capped.

#if canImport(Glibc)
  import Glibc
#elseif canImport(Musl)
  import Musl
#elseif canImport(Darwin)
  import Darwin
#endif

/// Why a bounded read failed; each reader turns it into its own error type and words.
public enum BoundedReadError: Error, Equatable, Sendable {
  /// Nothing at the path (or a folder on the way is missing, or a symbolic link leads nowhere).
  case notFound
  /// The path is a folder.
  case isDirectory
  /// The path is neither a regular file nor a folder (a FIFO, a socket, a device).
  case notRegularFile
  /// The file has `bytes` bytes, over the limit.
  case tooLarge(bytes: Int)
  /// The system refused (`reason` is the `strerror` text, e.g. "Permission denied").
  case unreadable(reason: String, code: Int32)
}

/// Bounded reads of whole files.
public enum BoundedRead {
  /// The bytes of the regular file at `path` (following symbolic links), refusing one over `limit` bytes
  /// before reading it. Opened with `O_NONBLOCK`, so a FIFO cannot block the call; an empty file gives no
  /// bytes (not an error: the caller says what an empty file means).
  public static func bytes(_ path: String, limit: Int) throws(BoundedReadError) -> [UInt8] {
    try readRegularFile(path) { size throws(BoundedReadError) in
      guard size <= limit else { throw .tooLarge(bytes: size) }
      // Read up to size + 1 bytes so a file that grew while we read is noticed and still capped.
      return size + 1
    } checking: { bytes throws(BoundedReadError) in
      if bytes.count > limit { throw .tooLarge(bytes: bytes.count) }
    }
  }

  /// The first `count` bytes of the regular file at `path` (fewer when the file is shorter), with the same
  /// checks as `bytes(_:limit:)` except the size limit: for reading a header without the rest.
  public static func prefix(_ path: String, count: Int) throws(BoundedReadError) -> [UInt8] {
    try readRegularFile(path) { size throws(BoundedReadError) in
      min(size, max(0, count))
    } checking: { _ in
    }
  }

  /// Opens `path` as a regular file and reads up to `capacity(size)` bytes, then lets `check` see them.
  private static func readRegularFile(
    _ path: String, capacity: (Int) throws(BoundedReadError) -> Int,
    checking check: ([UInt8]) throws(BoundedReadError) -> Void
  ) throws(BoundedReadError) -> [UInt8] {
    let fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK)
    guard fd >= 0 else { throw failure(errno) }
    defer { close(fd) }
    var info = stat()
    guard fstat(fd, &info) == 0 else { throw failure(errno) }
    switch info.st_mode & S_IFMT {
    case S_IFREG: break
    case S_IFDIR: throw .isDirectory
    default: throw .notRegularFile
    }
    let capacity = try capacity(Int(info.st_size))
    var code: Int32 = 0
    let bytes = [UInt8](unsafeUninitializedCapacity: capacity) { buffer, count in
      count = 0
      guard let base = buffer.baseAddress else { return }
      while count < capacity {
        let got = read(fd, base + count, capacity - count)
        if got < 0 {
          if errno == EINTR { continue }
          code = errno
          return
        }
        if got == 0 { break }
        count += got
      }
    }
    if code != 0 { throw failure(code) }
    try check(bytes)
    return bytes
  }

  /// The text of `strerror(code)`.
  public static func errorText(_ code: Int32) -> String {
    guard let text = strerror(code) else { return "error \(code)" }
    return String(cString: text)
  }

  private static func failure(_ code: Int32) -> BoundedReadError {
    switch code {
    case ENOENT, ENOTDIR: return .notFound
    case EISDIR: return .isDirectory
    default: return .unreadable(reason: errorText(code), code: code)
    }
  }
}
