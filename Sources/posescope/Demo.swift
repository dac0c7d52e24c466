// posescope: `demo` — run the estimator on the fetched sample media and print a summary.
import ArgumentParser
import Foundation
import PoseScope

struct Demo: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "demo",
    abstract: "Run PoseScope on the fetched sample media and print what it found.")

  func run() throws {
    let root = Assets.samplesDirectory
    let images = ["images/bus.jpg", "images/zidane.jpg", "images/grace_hopper.jpg", "images/astronaut.png"]
      .map { root + "/" + $0 }
    guard images.allSatisfy({ FileManager.default.fileExists(atPath: $0) }) else {
      throw CLIError("sample media not found in \(root) — fetch them with `scripts/fetch-assets.sh samples`")
    }
    let pipeline: Pipeline
    do { pipeline = try Pipeline() } catch { throw CLIError("\(error)") }
    print(
      "PoseScope — BlazePose GHUM (full) on PoseScope's own engine. Lengths from world landmarks, in mm.\n")
    let bones = ["left_upper_arm", "right_upper_arm", "left_upper_leg", "right_upper_leg", "left_lower_leg"]
    print(
      "image".padding(toLength: 20, withPad: " ", startingAt: 0) + "   size       score  "
        + bones.map {
          $0.replacingOccurrences(of: "_", with: " ").padding(toLength: 16, withPad: " ", startingAt: 0)
        }
        .joined().trimmingTrailingSpaces)
    for path in images {
      let frame = try pipeline.estimate(path)[0]
      var line = (path as NSString).lastPathComponent.padding(toLength: 20, withPad: " ", startingAt: 0)
      line += String(format: "   %4d×%-4d  ", frame.imageWidth, frame.imageHeight)
      if let person = frame.person, let lengths = person.h36mLengths {
        line += String(format: "%.2f   ", person.blazePose.poseScore)
        for name in bones {
          let mm = (H36M17.boneNames.firstIndex(of: name).map { lengths[$0] } ?? .nan) * 1000
          line += String(format: "%-16.0f", mm)
        }
      } else {
        line += "no person"
      }
      print(line.trimmingTrailingSpaces)
    }
    var sequence = MediaItem.open(root + "/sports2d")
    if case .folder(let files) = sequence.kind, sequence.problem == nil {
      let n = min(files.count, 60)
      sequence.kind = .folder(frames: Array(files.prefix(n)))
      let t0 = Date()
      let run = pipeline.run(items: [sequence])
      let dt = Date().timeIntervalSince(t0)
      let lengths = run.frames.compactMap { $0.frame.person?.h36mLengths }
      print(
        String(
          format: "\nsports2d: %d frames tracked in %.1f s (%.1f fps incl. JPEG decode), person in %d",
          n, dt, Double(n) / dt, lengths.count))
      if !lengths.isEmpty {
        print("bone length over the sequence (mm): mean ± std")
        for (b, name) in H36M17.boneNames.enumerated() {
          let v = lengths.map { $0[b] * 1000 }
          let m = v.reduce(0, +) / Double(v.count)
          let sd = (v.map { ($0 - m) * ($0 - m) }.reduce(0, +) / Double(v.count)).squareRoot()
          print(
            "  " + name.padding(toLength: 18, withPad: " ", startingAt: 0)
              + String(format: "%6.0f ± %4.1f", m, sd))
        }
      }
    }
    print(
      "\nOpen the interactive viewer with `posescope view` (or just `posescope`)."
    )
  }
}

extension String {
  /// The string without the spaces that padding left at its end.
  var trimmingTrailingSpaces: String {
    var s = Substring(self)
    while s.last == " " { s.removeLast() }
    return String(s)
  }
}
