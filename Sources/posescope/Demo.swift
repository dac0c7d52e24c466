// posescope: `demo` — run the estimator on the fetched sample media and print a summary.
import ArgumentParser
import Foundation
import MediaIO
import PoseCore
import PoseEstimation

struct Demo: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "demo",
    abstract: "Run PoseScope on the fetched sample media and print what it found.")

  func run() throws {
    let root = ModelStore.samplesDirectory
    let images = ["images/bus.jpg", "images/zidane.jpg", "images/grace_hopper.jpg", "images/astronaut.png"]
      .map { root + "/" + $0 }
    guard images.allSatisfy({ FileManager.default.fileExists(atPath: $0) }) else {
      throw CLIError("sample media not found in \(root) — fetch them with `scripts/fetch-assets.sh samples`")
    }
    let models = try loadModels(threads: 1)
    let still = try BlazePoseEstimator(detector: models.detector, landmarker: models.landmarker)
    print(
      "PoseScope — BlazePose GHUM (full) on PoseScope's own engine. Lengths from world landmarks, in mm.\n")
    let bones = ["left_upper_arm", "right_upper_arm", "left_upper_leg", "right_upper_leg", "left_lower_leg"]
    print(
      "image".padding(toLength: 20, withPad: " ", startingAt: 0) + "   size       score  "
        + bones.map {
          $0.replacingOccurrences(of: "_", with: " ").padding(toLength: 16, withPad: " ", startingAt: 0)
        }
        .joined())
    for path in images {
      let img = try ImageDecoder.load(path: path)
      let r = try still.process(img)
      let rec = FrameRecord(file: path, width: img.width, height: img.height, result: r)
      var line = (path as NSString).lastPathComponent.padding(toLength: 20, withPad: " ", startingAt: 0)
      line += String(format: "   %4d×%-4d  ", img.width, img.height)
      if let s = rec.score, let b = rec.boneLengths {
        line += String(format: "%.2f   ", s)
        for name in bones {
          let mm = (b.first { $0.name == name }?.lengthM ?? .nan) * 1000
          line += String(format: "%-16.0f", mm)
        }
      } else {
        line += "no person"
      }
      print(line)
    }
    let seq = root + "/sports2d"
    if let files = try? FrameFolder.list(seq) {
      var opt = BlazePoseEstimator.Options()
      opt.staticImageMode = false
      let video = try BlazePoseEstimator(
        detector: models.detector, landmarker: models.landmarker, options: opt)
      var lengths: [[Double]] = []
      let t0 = Date()
      let n = min(files.count, 60)
      for f in files.prefix(n) {
        let img = try ImageDecoder.load(path: f)
        if let r = try video.process(img), let j = try? BlazePoseToH36M.map(r.worldLandmarks),
          let l = try? PoseMetrics.boneLengths(j, skeleton: H36M17.skeleton)
        {
          lengths.append(l)
        }
      }
      let dt = Date().timeIntervalSince(t0)
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
