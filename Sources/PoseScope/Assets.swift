// PoseScope: the assets locator — where the fetched models and sample media are, and where the lifter
// PoseScope ships is found (beside a checkout, or under an install prefix).

import Foundation
import ModelFiles

/// Where PoseScope's files are: the fetched BlazePose models and sample media (see `FetchedAssets`:
/// `$POSESCOPE_MODELS` / `$POSESCOPE_SAMPLES`, else `$XDG_CACHE_HOME/posescope/…`, else
/// `~/.cache/posescope/…`) and the shipped lifter.
public enum Assets {
  /// The models folder.
  public static var modelsDirectory: String { FetchedAssets.modelsDirectory }
  /// The sample media folder.
  public static var samplesDirectory: String { FetchedAssets.samplesDirectory }

  /// The shipped lifter's path inside a checkout.
  public static let shippedLifterPath = "assets/lifter/posescope-lifter-h36m17.safetensors"
  /// The shipped lifter's path under an install prefix (`make install PREFIX=…`).
  public static let installedLifterPath = "share/posescope/lifter/posescope-lifter-h36m17.safetensors"

  /// The lifter PoseScope ships, nil when none is found: `$POSESCOPE_LIFTER` is not looked at here (see
  /// `lifterPath(explicit:)`); the file is looked for under the install prefix of the running executable
  /// (`<prefix>/bin/posescope` → `<prefix>/share/posescope/lifter/…`), then in the checkout it was built in
  /// or the current folder is in (walking up from each).
  public static func shippedLifter(executable: URL? = Bundle.main.executableURL) -> String? {
    let fm = FileManager.default
    var starts: [URL] = []
    if let exe = executable?.resolvingSymlinksInPath() {
      let prefix = exe.deletingLastPathComponent().deletingLastPathComponent()
      let installed = prefix.appendingPathComponent(installedLifterPath).path
      if fm.fileExists(atPath: installed) { return installed }
      starts.append(exe.deletingLastPathComponent())
    }
    starts.append(URL(fileURLWithPath: fm.currentDirectoryPath))
    for start in starts {
      var dir = start
      for _ in 0..<8 {
        let candidate = dir.appendingPathComponent(shippedLifterPath).path
        if fm.fileExists(atPath: candidate) { return candidate }
        dir = dir.deletingLastPathComponent()
      }
    }
    return nil
  }

  /// The lifter to use: `explicit` (a `--lifter` option), else `$POSESCOPE_LIFTER`, else the shipped one;
  /// nil when there is none.
  ///
  /// - Throws: `PipelineError` naming a given file that does not exist.
  public static func lifterPath(explicit: String?) throws -> String? {
    if let explicit {
      guard FileManager.default.fileExists(atPath: explicit) else {
        throw PipelineError("\(explicit): no such lifter file")
      }
      return explicit
    }
    if let env = ProcessInfo.processInfo.environment["POSESCOPE_LIFTER"], !env.isEmpty {
      guard FileManager.default.fileExists(atPath: env) else {
        throw PipelineError("POSESCOPE_LIFTER=\(env): no such lifter file")
      }
      return env
    }
    return shippedLifter()
  }
}
