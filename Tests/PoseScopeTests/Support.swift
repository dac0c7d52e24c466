// PoseScopeTests: where this target's fixtures and the fetched sample media are.
import Foundation

enum Support {
  /// The sample media folder: $POSESCOPE_SAMPLES, else $XDG_CACHE_HOME/posescope/samples, else
  /// ~/.cache/posescope/samples.
  static var samplesDirectory: String {
    let env = ProcessInfo.processInfo.environment
    if let explicit = env["POSESCOPE_SAMPLES"], !explicit.isEmpty { return explicit }
    let cache = env["XDG_CACHE_HOME"].flatMap { $0.isEmpty ? nil : $0 } ?? (NSHomeDirectory() + "/.cache")
    return cache + "/posescope/samples"
  }
}

enum Fixtures {
  /// This target's Fixtures folder in the source tree.
  static let directory = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
    .appendingPathComponent("Fixtures")

  static func path(_ name: String) throws -> String { directory.appendingPathComponent(name).path }
}
