// PoseScopeTestSupport: temporary folders and test files that fail the test, clearly, when they cannot be made.
import Foundation
import Testing

/// Temporary folders and files for tests.
///
/// A file a test sets up must really be there: a write that fails silently lets a test pass for the wrong
/// reason (a "missing file" error instead of the one the test is about), so every writer here fails the
/// test, naming the path and the reason, when it cannot write.
public enum TestFiles {
  /// A fresh, empty folder `<system temporary folder>/<prefix>-<UUID>`; the caller removes it (`remove`).
  ///
  /// - Parameter prefix: names the test or target in the folder's name, so a leftover folder tells where it
  ///   came from.
  public static func makeTemporaryFolder(_ prefix: String = "posescope-test") throws -> String {
    try makeTemporaryFolderURL(prefix).path
  }

  /// `makeTemporaryFolder(_:)` as a file URL.
  public static func makeTemporaryFolderURL(_ prefix: String = "posescope-test") throws -> URL {
    let url = FileManager.default.temporaryDirectory.appendingPathComponent("\(prefix)-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    return url
  }

  /// Removes `path` (a file or a whole folder) if it is there; for `defer` after `makeTemporaryFolder`.
  public static func remove(_ path: String) {
    try? FileManager.default.removeItem(atPath: path)
  }

  /// Writes `bytes` to `path` (replacing a file that is there); when that fails, records an issue at the
  /// caller naming the path and the reason, and throws so that the test stops there.
  public static func write(
    _ bytes: some DataProtocol, to path: String, sourceLocation: SourceLocation = #_sourceLocation
  ) throws {
    var reason = ""
    do {
      try Data(bytes).write(to: URL(fileURLWithPath: path))
    } catch {
      reason = "\(error)"
    }
    let written = reason.isEmpty
    try #require(written, "could not write the test file \(path): \(reason)", sourceLocation: sourceLocation)
  }

  /// Writes `text` as UTF-8 to `path`, like `write(_:to:sourceLocation:)` for bytes.
  public static func write(
    _ text: String, to path: String, sourceLocation: SourceLocation = #_sourceLocation
  ) throws {
    try write(Data(text.utf8), to: path, sourceLocation: sourceLocation)
  }
}
