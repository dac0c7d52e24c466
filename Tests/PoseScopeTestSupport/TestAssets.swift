// PoseScopeTestSupport: the fetched (never committed) models and sample media that some tests need.
import Foundation
import Testing

/// Where `scripts/fetch-assets.sh` puts the BlazePose models and the sample media, and paths into them
/// that fail the test, naming the fetch command, when the file is not there.
///
/// The folders follow the rule of `ModelFiles.FetchedAssets` (kept here so that this target does not
/// depend on ModelFiles): models in `$POSESCOPE_MODELS`, samples in `$POSESCOPE_SAMPLES`, else
/// `$XDG_CACHE_HOME/posescope/{models,samples}`, else `~/.cache/posescope/{models,samples}`.
public enum TestAssets {
  /// The script that fetches them (relative to the package root).
  public static let fetchScript = "scripts/fetch-assets.sh"

  /// The sample media folder.
  public static var samplesDirectory: String { directory(env: "POSESCOPE_SAMPLES", leaf: "samples") }

  /// The models folder.
  public static var modelsDirectory: String { directory(env: "POSESCOPE_MODELS", leaf: "models") }

  /// The path of sample `relative` (e.g. `images/bus.jpg`, `sports2d`); fails the test, naming the fetch
  /// command, when it is missing.
  public static func sample(_ relative: String, sourceLocation: SourceLocation = #_sourceLocation) throws
    -> String
  {
    try existing(samplesDirectory + "/" + relative, fetch: "samples", sourceLocation: sourceLocation)
  }

  /// The path of model file `file` (e.g. `pose_detection.tflite`); fails the test, naming the fetch command,
  /// when it is missing.
  public static func model(_ file: String, sourceLocation: SourceLocation = #_sourceLocation) throws -> String
  {
    try existing(modelsDirectory + "/" + file, fetch: "models", sourceLocation: sourceLocation)
  }

  /// The bytes of sample `relative`, as `sample(_:sourceLocation:)` finds it.
  public static func sampleBytes(_ relative: String, sourceLocation: SourceLocation = #_sourceLocation) throws
    -> [UInt8]
  {
    [UInt8](try Data(contentsOf: URL(fileURLWithPath: try sample(relative, sourceLocation: sourceLocation))))
  }

  private static func existing(_ path: String, fetch what: String, sourceLocation: SourceLocation) throws
    -> String
  {
    try #require(
      FileManager.default.fileExists(atPath: path), "\(path) is missing: run \(fetchScript) \(what)",
      sourceLocation: sourceLocation)
    return path
  }

  private static func directory(env: String, leaf: String) -> String {
    let e = ProcessInfo.processInfo.environment
    if let d = e[env], !d.isEmpty { return d }
    if let x = e["XDG_CACHE_HOME"], !x.isEmpty { return x + "/posescope/" + leaf }
    let home = e["HOME"].flatMap { $0.isEmpty ? nil : $0 } ?? NSHomeDirectory()
    return home + "/.cache/posescope/" + leaf
  }
}
