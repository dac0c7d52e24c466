// PoseScopeTestSupport: the committed fixtures that `.copy("Fixtures")` puts in a test target's bundle.
import Foundation
import Testing

/// The fixture folder a test target copies into its resource bundle (`resources: [.copy("Fixtures")]`).
///
/// `Bundle.module` exists only in the target that has the resources, so each such target makes its own:
/// `let fixtures = FixtureFolder(.module)`.
public struct FixtureFolder: Sendable {
  /// The test target's resource bundle.
  public let bundle: Bundle
  /// The folder's name in the bundle.
  public let name: String

  /// The folder `name` of `bundle`.
  public init(_ bundle: Bundle, name: String = "Fixtures") {
    self.bundle = bundle
    self.name = name
  }

  /// The folder's path; fails the test when the bundle has no such folder.
  public func root(sourceLocation: SourceLocation = #_sourceLocation) throws -> String {
    let url = try #require(
      bundle.url(forResource: name, withExtension: nil),
      "the \(name) resource folder is missing from \(bundle.bundlePath)", sourceLocation: sourceLocation)
    return url.path
  }

  /// The path of `relative` (e.g. `gray.jpg`, `ops/conv_valid.tflite`) in the folder; fails the test when
  /// it is missing, with `hint` (how to make it) when given.
  public func path(
    _ relative: String, hint: String? = nil, sourceLocation: SourceLocation = #_sourceLocation
  ) throws -> String {
    let path = try root(sourceLocation: sourceLocation) + "/" + relative
    try #require(
      FileManager.default.fileExists(atPath: path),
      "fixture \(name)/\(relative) is missing\(hint.map { ": " + $0 } ?? "")", sourceLocation: sourceLocation)
    return path
  }

  /// The contents of fixture `relative`.
  public func data(
    _ relative: String, hint: String? = nil, sourceLocation: SourceLocation = #_sourceLocation
  ) throws -> Data {
    try Data(contentsOf: URL(fileURLWithPath: path(relative, hint: hint, sourceLocation: sourceLocation)))
  }

  /// The bytes of fixture `relative`.
  public func bytes(
    _ relative: String, hint: String? = nil, sourceLocation: SourceLocation = #_sourceLocation
  ) throws -> [UInt8] {
    [UInt8](try data(relative, hint: hint, sourceLocation: sourceLocation))
  }
}
