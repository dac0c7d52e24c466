// FileSupport: atomic file writes — a temporary file beside the target, fsynced and renamed over it, so a
// reader (or a crash) sees the old file or the whole new one — and the removal of the temporaries that
// writers killed mid-write left behind. One implementation for images, JSON documents and safetensors.
#if canImport(Glibc)
  import Glibc
#elseif canImport(Musl)
  import Musl
#elseif canImport(Darwin)
  import Darwin
#endif

/// Why an atomic write failed; the file at `path` is unchanged and no temporary file is left.
public struct AtomicFileError: Error, Equatable, CustomStringConvertible {
  /// The file that was to be written.
  public let path: String
  /// What failed, e.g. "rename: Is a directory".
  public let reason: String

  /// Creates an error.
  public init(path: String, reason: String) {
    self.path = path
    self.reason = reason
  }

  public var description: String { "\(path): \(reason)" }
}

/// Atomic writes: `write(to:_:)` fills a new temporary file `.<name>.tmp-<pid>-<n>-<random>` in the
/// target's folder, fsyncs it, renames it over the target and fsyncs the folder.
public enum AtomicFile {
  /// Writes `bytes` to `path` atomically.
  ///
  /// - Throws: `AtomicFileError` naming the step that failed.
  public static func write(_ bytes: UnsafeRawBufferPointer, to path: String) throws {
    try write(to: path) { fd in
      var offset = 0
      while offset < bytes.count {
        let wrote = posixWrite(fd, bytes.baseAddress! + offset, bytes.count - offset)
        if wrote < 0 {
          if errno == EINTR { continue }
          throw AtomicFileError(path: path, reason: "write: \(errorText(errno))")
        }
        offset += wrote
      }
    }
  }

  /// Writes `bytes` to `path` atomically.
  ///
  /// - Throws: `AtomicFileError` naming the step that failed.
  public static func write(_ bytes: [UInt8], to path: String) throws {
    try bytes.withUnsafeBytes { raw in try write(raw, to: path) }
  }

  /// Creates a temporary file next to `path`, lets `body` fill it through its descriptor, fsyncs it,
  /// renames it over `path` and fsyncs the folder; then removes the temporaries of `path` that dead
  /// processes left (`removeStaleTemporaries(of:)`).
  ///
  /// On any failure (`body`'s error is rethrown as is) the temporary file is removed and whatever was at
  /// `path` is left untouched.
  public static func write(to path: String, _ body: (Int32) throws -> Void) throws {
    let (directory, name) = split(path)
    guard !name.isEmpty else { throw AtomicFileError(path: path, reason: "the path names no file") }
    var fd: Int32 = -1
    var tempPath = ""
    for attempt in 0..<100 {
      let suffix = UInt32.random(in: 0...UInt32.max)
      tempPath = join(directory, "\(temporaryPrefix(of: name))\(getpid())-\(attempt)-\(suffix)")
      fd = open(tempPath, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o644)
      if fd >= 0 || errno != EEXIST { break }
    }
    guard fd >= 0 else {
      let code = errno
      throw AtomicFileError(
        path: path,
        reason: "cannot create a temporary file in \(directory.isEmpty ? "." : directory): \(errorText(code))"
      )
    }
    var committed = false
    defer { if !committed { unlink(tempPath) } }
    do {
      try body(fd)
    } catch {
      close(fd)
      throw error
    }
    if fsync(fd) != 0 {
      let code = errno
      close(fd)
      throw AtomicFileError(path: path, reason: "fsync: \(errorText(code))")
    }
    if close(fd) != 0 { throw AtomicFileError(path: path, reason: "close: \(errorText(errno))") }
    guard rename(tempPath, path) == 0 else {
      throw AtomicFileError(path: path, reason: "rename: \(errorText(errno))")
    }
    committed = true
    // The rename is durable once the folder is synced (best effort: some file systems refuse).
    let dirFD = open(directory.isEmpty ? "." : directory, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
    if dirFD >= 0 {
      _ = fsync(dirFD)
      close(dirFD)
    }
    removeStaleTemporaries(of: path)
  }

  /// Removes the temporary files of `path` that a writer killed mid-write left behind (the target itself
  /// was never touched): those whose process no longer exists and that were not modified for `minimumAge`
  /// seconds. A live process's temporaries — another writer of the same file, right now — are kept, and the
  /// age keeps those of a writer on another machine sharing the folder (its process ids mean nothing here;
  /// a write in progress keeps its file's time current). Returns how many were removed.
  @discardableResult
  public static func removeStaleTemporaries(of path: String, minimumAge: Double = 300) -> Int {
    let (directory, name) = split(path)
    guard !name.isEmpty, let handle = opendir(directory.isEmpty ? "." : directory) else { return 0 }
    let prefix = temporaryPrefix(of: name)
    var stale: [String] = []
    while let entry = readdir(handle) {
      let entryName = withUnsafePointer(to: entry.pointee.d_name) { tuple in
        tuple.withMemoryRebound(to: CChar.self, capacity: MemoryLayout.size(ofValue: tuple)) {
          String(validatingCString: $0)
        }
      }
      guard let entryName, entryName.hasPrefix(prefix) else { continue }
      // `<pid>-<attempt>-<random>` after the prefix.
      guard let pidText = entryName.dropFirst(prefix.count).split(separator: "-").first,
        let pid = Int32(pidText), pid > 0, pid != getpid()
      else { continue }
      guard kill(pid, 0) != 0 && errno == ESRCH else { continue }
      var info = stat()
      guard lstat(join(directory, entryName), &info) == 0,
        Double(time(nil)) - Double(info.st_mtim.tv_sec) >= minimumAge
      else { continue }
      stale.append(entryName)
    }
    closedir(handle)
    return stale.filter { unlink(join(directory, $0)) == 0 }.count
  }

  /// The start of every temporary file's name for a target called `name`.
  static func temporaryPrefix(of name: String) -> String { ".\(name).tmp-" }

  /// Splits a path into its directory (without the trailing slash; "" for none) and last component.
  static func split(_ path: String) -> (directory: String, name: String) {
    guard let slash = path.lastIndex(of: "/") else { return ("", path) }
    let directory = String(path[..<slash])
    return (directory.isEmpty ? "/" : directory, String(path[path.index(after: slash)...]))
  }

  /// `directory/name`, or just `name` when `directory` is empty.
  static func join(_ directory: String, _ name: String) -> String {
    if directory.isEmpty { return name }
    return directory.hasSuffix("/") ? directory + name : directory + "/" + name
  }

  /// The text of `strerror(code)`.
  static func errorText(_ code: Int32) -> String {
    guard let text = strerror(code) else { return "error \(code)" }
    return String(cString: text)
  }
}

/// POSIX `write` (inside `AtomicFile` the name means its own methods).
private func posixWrite(_ fd: Int32, _ buffer: UnsafeRawPointer, _ count: Int) -> Int {
  write(fd, buffer, count)
}
