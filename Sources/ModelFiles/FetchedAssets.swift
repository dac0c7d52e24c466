// ModelFiles: where scripts/fetch-assets.sh puts the fetched models and sample media.
import Foundation

/// The folders of the fetched (never committed) files: BlazePose models and sample media.
///
/// Models: `$POSESCOPE_MODELS`, else `$XDG_CACHE_HOME/posescope/models`, else `~/.cache/posescope/models`.
/// Samples: `$POSESCOPE_SAMPLES`, else `$XDG_CACHE_HOME/posescope/samples`, else `~/.cache/posescope/samples`.
public enum FetchedAssets {
  /// The script that fetches them (relative to the package root).
  public static let fetchScript = "scripts/fetch-assets.sh"

  /// The models folder.
  public static var modelsDirectory: String { directory(env: "POSESCOPE_MODELS", leaf: "models") }

  /// The sample media folder.
  public static var samplesDirectory: String { directory(env: "POSESCOPE_SAMPLES", leaf: "samples") }

  /// The path of a model file in the models folder (not checked to exist).
  public static func model(_ file: String) -> String { modelsDirectory + "/" + file }

  /// The path of a sample (relative to the samples folder, e.g. `images/bus.jpg`; not checked to exist).
  public static func sample(_ relative: String) -> String { samplesDirectory + "/" + relative }

  static func directory(env: String, leaf: String) -> String {
    let e = ProcessInfo.processInfo.environment
    if let d = e[env], !d.isEmpty { return d }
    if let x = e["XDG_CACHE_HOME"], !x.isEmpty { return x + "/posescope/" + leaf }
    let home = e["HOME"].flatMap { $0.isEmpty ? nil : $0 } ?? NSHomeDirectory()
    return home + "/.cache/posescope/" + leaf
  }
}
