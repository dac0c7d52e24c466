// posescope: `bench` — median per-stage times of the pipeline on a real image (use a release build).
import ArgumentParser
import Dispatch
import Foundation
import PoseScope
import TerminalUI

struct Bench: ParsableCommand {
  static let configuration = CommandConfiguration(
    abstract: "Time each stage of the pipeline on a real image (build with -c release).",
    discussion: """
      Stages: JPEG/PNG decode, detector model, landmark model, the whole static-image pipeline
      (warps + both models + decoding), a tracked frame (landmarks only), decode + static pipeline, the
      whole frame with the shipped lifter (decode + pipeline + H36M-17 mapping + lifter), and
      one redraw of the viewer after a rotation key at 200×60.
      Prints the median and 90th percentile of --runs runs after --warmup runs.
      """)

  @Option(help: "The image (default: Sports2D demo frame 120, 1768×994, from the fetched samples).")
  var image: String?

  @Option(help: "Timed runs per stage.")
  var runs: Int = 30

  @Option(help: "Untimed warm-up runs per stage.")
  var warmup: Int = 3

  @Option(help: "Threads for the models' kernels.")
  var threads: Int = 1

  @Option(
    help: ArgumentHelp(
      "Instead of the stages: the viewer's peak memory while it estimates and caches every frame of a folder.",
      discussion:
        "Give a frame folder, or `1080p` for 200 Sports2D frames scaled to 1920×1080 (made with ffmpeg).",
      valueName: "folder"))
  var browse: String?

  @Flag(
    help: ArgumentHelp(
      "Also time LiteRT (XNNPACK) on the same input tensors, through a Python that has ai-edge-litert.",
      discussion:
        "Both engines are timed in turns (blocks of 5 runs, --runs each) so that both see the same machine. "
        + "LiteRT runs the landmark model whole; PoseScope prunes its unused segmentation head."))
  var compareLitert = false

  @Option(help: "The Python for --compare-litert.")
  var python = "python3"

  @Option(
    help: ArgumentHelp(
      "Also write each model's input and outputs after the timed runs, as raw float32 files, to this folder.",
      discussion:
        "For comparing the engine's results between builds: a <model>.input.f32 already in the folder is used "
        + "as that model's input.", valueName: "folder"))
  var saveOutputs: String?

  @Flag(help: "Also print each model's median time per operator type (and GFLOP/s of the convolutions).")
  var profile = false

  @Option(help: "With --profile: how many of the slowest operators to list.")
  var profileTop = 10

  func validate() throws {
    guard runs >= 1, runs <= 10_000 else { throw ValidationError("--runs must be between 1 and 10000") }
    guard warmup >= 0, warmup <= 1000 else { throw ValidationError("--warmup must be between 0 and 1000") }
    guard threads >= 1 && threads <= 64 else { throw ValidationError("--threads must be between 1 and 64") }
  }

  func run() throws {
    if let browse {
      try measureBrowsing(browse)
      return
    }
    let path = image ?? Assets.samplesDirectory + "/sports2d/frame_0120.jpg"
    guard FileManager.default.fileExists(atPath: path) else {
      throw CLIError(
        "\(path) not found — fetch the samples with `scripts/fetch-assets.sh samples` or pass --image")
    }
    let models = try ModelStore.loadBlazePose(threads: threads)
    let img = try ImageDecoder.load(path: path)
    let still = try BlazePoseEstimator(detector: models.detector, landmarker: models.landmarker)
    var vopt = BlazePoseEstimator.Options()
    vopt.staticImageMode = false
    let video = try BlazePoseEstimator(
      detector: models.detector, landmarker: models.landmarker, options: vopt)
    guard try still.process(img) != nil else {
      throw CLIError("no person found in \(path); pick another --image")
    }
    _ = try video.process(img)

    print("posescope bench: \(path) (\(img.width)×\(img.height)), \(threads) thread(s), \(runs) runs")
    let roundTripBefore = threads > 1 ? coreRoundTripNanoseconds() : nil
    print("stage                          median ms     p90 ms     min ms")
    var medians: [String: Double] = [:]
    func stage(_ name: String, _ body: () throws -> Void) rethrows {
      for _ in 0..<warmup { try body() }
      var t: [Double] = []
      for _ in 0..<runs {
        let t0 = DispatchTime.now().uptimeNanoseconds
        try body()
        t.append(Double(DispatchTime.now().uptimeNanoseconds - t0) / 1e6)
      }
      t.sort()
      let median = PoseMetrics.median(t) ?? .nan
      medians[name] = median
      let p90 = t[min(t.count - 1, Int((Double(t.count) * 0.9).rounded(.up)) - 1)]
      print(
        name.padding(toLength: 30, withPad: " ", startingAt: 0)
          + String(format: " %9.2f  %9.2f  %9.2f", median, p90, t[0])
      )
    }
    try stage("decode") { _ = try ImageDecoder.load(path: path) }
    stage("detector model") { models.detector.invoke() }
    stage("landmark model") { models.landmarker.invoke() }
    for (name, it) in [("detector model", models.detector), ("landmark model", models.landmarker)] {
      let gflop = Double(it.kernelFlops.reduce(0, +)) / 1e9
      let ms = medians[name] ?? .nan
      print(
        "  \(name): ".padding(toLength: 30, withPad: " ", startingAt: 0)
          + String(format: "%.3f GFLOP per run, %.1f GFLOP/s at the median", gflop, gflop / (ms / 1e3)))
    }
    var parts: [StageTimings] = []
    try stage("static pipeline (det+lm)") {
      _ = try still.process(img)
      parts.append(still.lastTimings)
    }
    func med(_ f: (StageTimings) -> Double) -> Double {
      let v = parts.map(f).sorted()
      return v.isEmpty ? .nan : v[v.count / 2]
    }
    print(
      String(
        format: "  its parts (medians):          warps %.2f, detector %.2f, landmarks %.2f, decoding %.2f ms",
        med(\.preprocessMs), med(\.detectorMs), med(\.landmarkMs), med(\.postprocessMs)))
    try stage("tracked frame (lm only)") { _ = try video.process(img) }
    try stage("decode + static pipeline") { _ = try still.process(try ImageDecoder.load(path: path)) }
    // The whole frame as `estimate` computes it, through the pipeline's frame estimator: decode, both
    // models, the H36M-17 mapping and the lifter.
    if let lifter = try loadLifter(explicit: nil) {
      let frames = try FrameEstimator(options: PipelineOptions(threads: threads, lifter: lifter.poseLifter))
      let item = MediaItem(path: path, kind: .image)
      stage("whole frame (+ lifter)") { _ = frames.estimate(item: item, itemIndex: 0, frame: 0) }
    }

    // The viewer: one redraw (state → panes → cell grid → ANSI text) after a rotation key, 200×60.
    let redraws = try Viewer.measureRedrawAfterRotation(
      items: [MediaItem(path: path, kind: .image)], width: 200, height: 60, runs: max(runs, 30))
    let sorted = redraws.sorted()
    print(
      "viewer redraw after rotation".padding(toLength: 30, withPad: " ", startingAt: 0)
        + String(
          format: " %9.2f  %9.2f   (200×60, truecolor)", sorted[sorted.count / 2],
          sorted[min(sorted.count - 1, Int(Double(sorted.count) * 0.9))]))
    if let before = roundTripBefore, let after = coreRoundTripNanoseconds() {
      // On this project's VM: ≈ 80–150 ns when its two vCPUs sit close, 350–500 ns when the host put them
      // far apart, and then every 2-thread engine (LiteRT's too) loses a good part of its gain.
      print(
        String(
          format: "core-to-core round trip: %.0f ns before the stages, %.0f ns after (above ~250 ns the "
            + "threads sit far apart and 2-thread times suffer)", before, after))
    }
    if let rss = peakRSSMegabytes() { print(String(format: "peak RSS of this bench run: %.0f MB", rss)) }
    if let dir = saveOutputs {
      try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
      for (name, it) in [("detector", models.detector), ("landmarks", models.landmarker)] {
        // An input already in the folder (from another build's run) is used, so both see the same tensor.
        let inputURL = URL(fileURLWithPath: "\(dir)/\(name).input.f32")
        if let data = try? Data(contentsOf: inputURL), data.count == it.inputs[0].count * 4 {
          try data.withUnsafeBytes { try it.setInput(0, $0.bindMemory(to: Float.self)) }
        }
        it.invoke()
        try it.withInput { Data(buffer: $0) }.write(to: inputURL)
        for (i, info) in it.outputs.enumerated() {
          let safe = String(info.name.map { $0.isLetter || $0.isNumber ? $0 : "_" })
          try it.withOutput(i) { Data(buffer: $0) }.write(
            to: URL(fileURLWithPath: "\(dir)/\(name).\(i).\(safe).f32"))
        }
      }
      print("wrote the models' inputs and outputs to \(dir)")
    }
    if profile {
      for (name, it) in [("detector", models.detector), ("landmarks", models.landmarker)] {
        printProfile(name, it)
      }
    }
    if compareLitert {
      try compareWithLiteRT(detector: models.detector, landmarker: models.landmarker)
    }
  }

  /// Prints the median time per operator type of `runs` profiled invocations (each kernel's median,
  /// summed by type), with the convolutions' GFLOP/s.
  func printProfile(_ name: String, _ it: Interpreter) {
    for _ in 0..<warmup { it.invoke() }
    var samples = Array(repeating: [Double](), count: it.kernelCount)
    for _ in 0..<runs {
      for (i, t) in it.invokeProfiled().enumerated() { samples[i].append(t) }
    }
    var byType: [String: (ms: Double, flops: Int, count: Int)] = [:]
    var perKernel: [(label: String, ms: Double, flops: Int)] = []
    for (i, label) in it.kernelLabels.enumerated() {
      let sorted = samples[i].sorted()
      let median = sorted[sorted.count / 2] * 1e3
      perKernel.append((label, median, it.kernelFlops[i]))
      var type = String(label.prefix { $0 != "#" })
      if label.hasSuffix("+PAD") { type += "+PAD" }
      let old = byType[type] ?? (0, 0, 0)
      byType[type] = (old.ms + median, old.flops + it.kernelFlops[i], old.count + 1)
    }
    print("\n\(name): median per operator type (\(runs) profiled runs)")
    print("operator type                 count   total ms   GFLOP/s")
    for (type, v) in byType.sorted(by: { $0.value.ms > $1.value.ms }) {
      let rate = v.flops > 0 ? String(format: "%9.1f", Double(v.flops) / 1e9 / (v.ms / 1e3)) : ""
      print(
        type.padding(toLength: 28, withPad: " ", startingAt: 0)
          + String(format: " %6d  %9.3f", v.count, v.ms) + " " + rate)
    }
    print("slowest operators:")
    for k in perKernel.sorted(by: { $0.ms > $1.ms }).prefix(profileTop) {
      let rate = k.flops > 0 ? String(format: "%9.1f", Double(k.flops) / 1e9 / (k.ms / 1e3)) : ""
      print(
        "  " + k.label.padding(toLength: 34, withPad: " ", startingAt: 0) + String(format: " %9.3f", k.ms)
          + " "
          + rate)
    }
  }

  /// Times PoseScope and LiteRT on the input tensors the interpreters hold now, interleaved: blocks of 5
  /// runs of each in turn, so both see the same machine (on a shared VM the speed of two threads changes
  /// from one second to the next). LiteRT runs in a Python child process that times one block per request.
  func compareWithLiteRT(detector: Interpreter, landmarker: Interpreter) throws {
    let dir = FileManager.default.temporaryDirectory.appendingPathComponent("posescope-litert-\(getpid())")
    try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: dir) }
    let models = [("detector", detector), ("landmarks", landmarker)]
    var jobs: [[String: Any]] = []
    for ((name, it), file) in zip(models, [ModelStore.detectorFile, ModelStore.landmarkFile]) {
      let input = dir.appendingPathComponent(name + ".f32")
      try it.withInput { Data(buffer: $0) }.write(to: input)
      jobs.append([
        "name": name, "model": try ModelStore.modelPath(file), "input": input.path,
        "shape": it.inputs[0].shape,
      ])
    }
    let script = """
      import json, sys, time
      try:
          import numpy as np
          from ai_edge_litert.interpreter import Interpreter
      except ImportError as e:
          print(json.dumps({"error": str(e)}), flush=True); sys.exit(0)
      cfg = json.loads(sys.argv[1]); its = {}
      for job in cfg["jobs"]:
          it = Interpreter(model_path=job["model"], num_threads=cfg["threads"]); it.allocate_tensors()
          x = np.fromfile(job["input"], np.float32).reshape(job["shape"])
          it.set_tensor(it.get_input_details()[0]["index"], x)
          for _ in range(cfg["warmup"]): it.invoke()
          its[job["name"]] = it
      print(json.dumps({"ready": True}), flush=True)
      for line in sys.stdin:
          name, n = line.split(); it = its[name]; ts = []
          for _ in range(int(n)):
              t0 = time.perf_counter(); it.invoke(); ts.append((time.perf_counter() - t0) * 1e3)
          print(json.dumps(ts), flush=True)
      """
    let cfg: [String: Any] = ["jobs": jobs, "threads": threads, "warmup": max(warmup, 3)]
    let cfgJSON = String(decoding: try JSONSerialization.data(withJSONObject: cfg), as: UTF8.self)
    let p = Process()
    p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
    p.arguments = [python, "-c", script, cfgJSON]
    let toChild = Pipe(), fromChild = Pipe()
    p.standardInput = toChild
    p.standardOutput = fromChild
    p.standardError = FileHandle.nullDevice
    do { try p.run() } catch { throw CLIError("cannot run \(python): \(error)") }
    defer {
      try? toChild.fileHandleForWriting.close()
      p.waitUntilExit()
    }
    let lines = LineReader(fromChild.fileHandleForReading)
    guard let first = lines.next(),
      let hello = try? JSONSerialization.jsonObject(with: first) as? [String: Any]
    else { throw CLIError("\(python) did not answer (is it a Python 3?)") }
    if let error = hello["error"] as? String {
      throw CLIError(
        "--compare-litert needs a Python with ai-edge-litert and numpy (\(error)); "
          + "pip install ai-edge-litert, or pass --python")
    }
    let block = 5
    var ours: [String: [Double]] = [:], theirs: [String: [Double]] = [:]
    for round in 0..<(runs + block - 1) / block {
      let n = min(block, runs - round * block)
      for (name, it) in models {
        for _ in 0..<n {
          let t0 = DispatchTime.now().uptimeNanoseconds
          it.invoke()
          ours[name, default: []].append(Double(DispatchTime.now().uptimeNanoseconds - t0) / 1e6)
        }
        usleep(10_000)  // both pools' spinning threads go quiet before the other engine runs
        try toChild.fileHandleForWriting.write(contentsOf: Data("\(name) \(n)\n".utf8))
        guard let line = lines.next(), let ts = try? JSONSerialization.jsonObject(with: line) as? [Double],
          ts.count == n
        else { throw CLIError("\(python) stopped answering while timing LiteRT") }
        theirs[name, default: []] += ts
        usleep(10_000)
      }
    }
    print(
      "\nLiteRT (XNNPACK, \(threads) thread(s)) on the same input tensors, interleaved with PoseScope in blocks "
        + "of \(block) runs (\(runs) each):")
    print("model                 PoseScope ms   LiteRT ms   ratio    (minima: PoseScope  LiteRT  ratio)")
    for (name, _) in models {
      let (m, t) = (ours[name] ?? [], theirs[name] ?? [])
      let (mm, tm) = (PoseMetrics.median(m) ?? .nan, PoseMetrics.median(t) ?? .nan)
      let (mmin, tmin) = (m.min() ?? .nan, t.min() ?? .nan)
      print(
        name.padding(toLength: 20, withPad: " ", startingAt: 0)
          + String(
            format: "  %11.2f  %10.2f  %6.2f×   %16.2f  %6.2f  %5.2f×", mm, tm, mm / tm, mmin, tmin,
            mmin / tmin))
    }
  }

  /// Runs the viewer's background estimation over every frame of a folder (as browsing it does: each frame
  /// estimated, its display image cached) and prints the process's peak resident memory.
  func measureBrowsing(_ spec: String) throws {
    var folder = spec
    var made: URL?
    if spec == "1080p" {
      let video = Assets.samplesDirectory + "/video/sports2d_demo.mp4"
      guard FileManager.default.fileExists(atPath: video) else {
        throw CLIError("\(video) not found — fetch the samples with `scripts/fetch-assets.sh samples`")
      }
      let dir = FileManager.default.temporaryDirectory.appendingPathComponent("posescope-1080p-\(getpid())")
      try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
      made = dir
      let p = Process()
      p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
      p.arguments = [
        "ffmpeg", "-nostdin", "-v", "error", "-i", video, "-vf", "scale=1920:1080", "-frames:v", "200",
        "-q:v", "2",
        dir.appendingPathComponent("frame_%04d.jpg").path,
      ]
      try p.run()
      p.waitUntilExit()
      guard p.terminationStatus == 0 else { throw CLIError("ffmpeg could not make the 1080p frames") }
      folder = dir.path
    }
    defer { if let made { try? FileManager.default.removeItem(at: made) } }
    let frames = try FrameFolder.list(folder)
    let first = try ImageDecoder.load(path: frames[0])
    let item = MediaItem(path: folder, kind: .folder(frames: frames))
    let cache = ThumbnailCache()
    let service = EstimationService(
      items: [item], thumbnails: cache, options: PipelineOptions(threads: threads))
    let t0 = Date()
    service.start()
    while service.progress(item: 0).done < frames.count {
      if case .failed(let why) = service.state { throw CLIError(why) }
      Thread.sleep(forTimeInterval: 0.05)
    }
    service.stopAndWait()
    let dt = Date().timeIntervalSince(t0)
    print(
      String(
        format: "browse %@: %d frames of %d×%d estimated and cached in %.1f s (%.1f fps)", folder,
        frames.count,
        first.width, first.height, dt, Double(frames.count) / dt))
    if let rss = peakRSSMegabytes() { print(String(format: "peak RSS while browsing: %.0f MB", rss)) }
  }

  /// The process's peak resident set size (VmHWM), in MB, on Linux.
  func peakRSSMegabytes() -> Double? {
    guard let status = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8) else { return nil }
    for line in status.split(separator: "\n") where line.hasPrefix("VmHWM:") {
      let kb = line.split(separator: " ").compactMap { Double($0) }.first
      return kb.map { $0 / 1024 }
    }
    return nil
  }
}

/// Reads a child's output one line at a time (blocking), without the newline; nil at the end.
final class LineReader {
  private let handle: FileHandle
  private var buffer = Data()

  init(_ handle: FileHandle) { self.handle = handle }

  func next() -> Data? {
    while true {
      if let nl = buffer.firstIndex(of: UInt8(ascii: "\n")) {
        let line = buffer[buffer.startIndex..<nl]
        buffer.removeSubrange(buffer.startIndex...nl)
        return Data(line)
      }
      let more = handle.availableData
      if more.isEmpty {
        if buffer.isEmpty { return nil }
        defer { buffer.removeAll() }
        return buffer
      }
      buffer.append(more)
    }
  }
}
