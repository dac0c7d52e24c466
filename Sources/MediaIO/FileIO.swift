// MediaIO: POSIX file access: bounded whole-file reads, atomic writes (temp file + rename), folder listing.
import FileSupport

#if canImport(Glibc)
  import Glibc
#elseif canImport(Musl)
  import Musl
#elseif canImport(Darwin)
  import Darwin
#endif

/// Thin, checked wrappers over POSIX file calls, reporting failures as `MediaIOError`.
enum FileIO {
  /// The text of `strerror(code)`.
  static func errorText(_ code: Int32) -> String { BoundedRead.errorText(code) }

  /// The kind of a `stat` failure for `code` (errno).
  private static func statFailure(_ code: Int32) -> MediaIOError.Kind {
    switch code {
    case ENOENT, ENOTDIR: return .fileNotFound
    default: return .unreadable(errorText(code))
    }
  }

  /// What is at a path (following symlinks).
  enum EntryType {
    case regular(size: Int)
    case directory
    case other
  }

  /// The type of the entry at `path`, following symlinks; throws `fileNotFound`/`unreadable`.
  static func entryType(_ path: String) throws(MediaIOError) -> EntryType {
    var info = stat()
    guard stat(path, &info) == 0 else {
      throw MediaIOError(path: path, kind: statFailure(errno))
    }
    return entryType(of: info)
  }

  private static func entryType(of info: stat) -> EntryType {
    switch info.st_mode & S_IFMT {
    case S_IFREG: return .regular(size: Int(info.st_size))
    case S_IFDIR: return .directory
    default: return .other
    }
  }

  /// Reads the whole regular file at `path`, refusing files over `limit` bytes before reading them
  /// (FileSupport's `BoundedRead`), and empty files.
  ///
  /// With `prefix`, only the file's first `prefix` bytes are read (and `limit` is not checked).
  static func readFile(_ path: String, limit: Int, prefix: Int? = nil) throws(MediaIOError) -> [UInt8] {
    let bytes: [UInt8]
    do throws(BoundedReadError) {
      if let prefix {
        bytes = try BoundedRead.prefix(path, count: prefix)
      } else {
        bytes = try BoundedRead.bytes(path, limit: limit)
      }
    } catch {
      switch error {
      case .notFound: throw MediaIOError(path: path, kind: .fileNotFound)
      case .isDirectory: throw MediaIOError(path: path, kind: .isADirectory)
      case .notRegularFile: throw MediaIOError(path: path, kind: .unreadable("not a regular file"))
      case .tooLarge(let size): throw MediaIOError(path: path, kind: .fileTooLarge(bytes: size))
      case .unreadable(let reason, _): throw MediaIOError(path: path, kind: .unreadable(reason))
      }
    }
    if bytes.isEmpty { throw MediaIOError(path: path, kind: .empty) }
    return bytes
  }

  /// Writes `bytes` to `path` atomically; see `writeAtomically(to:write:)`.
  static func writeAtomically(_ bytes: [UInt8], to path: String) throws(MediaIOError) {
    try reportingWriteFailures(of: path) { try AtomicFile.write(bytes, to: path) }
  }

  /// Creates a temporary file next to `path`, lets `body` fill it, fsyncs it and renames it over `path`
  /// (FileSupport's `AtomicFile`, whose failures become `writeFailed`).
  ///
  /// On any failure the temporary file is removed and whatever was at `path` is left untouched.
  static func writeAtomically(
    to path: String, write body: (Int32) throws(MediaIOError) -> Void
  ) throws(MediaIOError) {
    try reportingWriteFailures(of: path) { try AtomicFile.write(to: path) { fd in try body(fd) } }
  }

  /// Runs `write`, reporting its failures as `MediaIOError`s of kind `writeFailed` (an `MediaIOError`
  /// thrown by a body passes through as is).
  private static func reportingWriteFailures(of path: String, _ write: () throws -> Void) throws(MediaIOError)
  {
    do {
      try write()
    } catch let error as MediaIOError {
      throw error
    } catch let error as AtomicFileError {
      throw MediaIOError(path: path, kind: .writeFailed(error.reason))
    } catch {
      throw MediaIOError(path: path, kind: .writeFailed("\(error)"))
    }
  }

  /// `directory/name`, or just `name` when `directory` is empty.
  static func join(_ directory: String, _ name: String) -> String {
    if directory.isEmpty { return name }
    return directory.hasSuffix("/") ? directory + name : directory + "/" + name
  }

  /// The names in `directory` except "." and ".."; names that are not valid UTF-8 are skipped.
  static func directoryEntries(_ directory: String) throws(MediaIOError) -> [String] {
    guard let handle = opendir(directory) else {
      let code = errno
      switch code {
      case ENOENT: throw MediaIOError(path: directory, kind: .fileNotFound)
      case ENOTDIR: throw MediaIOError(path: directory, kind: .notADirectory)
      default: throw MediaIOError(path: directory, kind: .unreadable(errorText(code)))
      }
    }
    defer { closedir(handle) }
    var names: [String] = []
    while true {
      errno = 0
      guard let entry = readdir(handle) else {
        if errno != 0 {
          throw MediaIOError(path: directory, kind: .unreadable("reading the folder: \(errorText(errno))"))
        }
        break
      }
      let name: String? = withUnsafePointer(to: entry.pointee.d_name) { tuple in
        tuple.withMemoryRebound(
          to: CChar.self, capacity: MemoryLayout.size(ofValue: entry.pointee.d_name)
        ) { String(validatingCString: $0) }
      }
      guard let name, name != ".", name != ".." else { continue }
      names.append(name)
    }
    return names
  }
}
