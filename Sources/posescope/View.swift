// posescope: `view` (the default) — the interactive terminal viewer, or one headless frame with --once.
import ArgumentParser
import Foundation
import PoseScope
import TerminalUI

struct View: ParsableCommand {
  static let configuration = CommandConfiguration(
    abstract:
      "Browse images, frame folders and videos with their 2D/3D pose and bone lengths (the default).",
    discussion: """
      Each PATH is an image (PNG or JPEG), a folder of frames (one sequence) or a video file (mp4, mov,
      mkv, webm, …; read through ffmpeg, which must be installed). Videos play at their own frame rate
      unless --fps is given. Without PATH, the fetched sample media (scripts/fetch-assets.sh samples)
      are opened. Press ? in the viewer for the keys.

      Ground truth: put `<image or folder>.gt.json` next to it (`bus.jpg.gt.json`, `sports2d.gt.json`)
      with "bone_lengths_mm" (H36M-17 bone name → mm) and/or "joints_mm" (per frame: 17 [x, y, z] in mm,
      H36M-17 order, or null); see README, "Viewer".

      --once renders one frame to standard output instead (the first PATH; for a folder or video, frames
      1…--frame are estimated in order first) and exits.
      """)

  @Argument(help: "Images, frame folders and/or videos (default: the fetched sample media).")
  var paths: [String] = []

  @Flag(help: "Render one frame to standard output and exit (no terminal needed).")
  var once = false

  @Option(help: "With --once: the frame size in cells, WIDTHxHEIGHT.")
  var size: String = "120x40"

  @Option(help: "Colours: truecolor, 256, 16 or none (default: from the terminal; none with --once).")
  var color: String?

  @Flag(
    help: "ASCII only: no braille, half blocks or box drawing (default: Unicode when the locale is UTF-8).")
  var ascii = false

  @Option(help: "Playback rate in frames per second (default: 30 for folders, a video's own rate).")
  var fps: Double?

  @Option(help: "Body height in metres for the anthropometric reference lengths.")
  var height: Double = 1.75

  @Option(help: "With --once: the frame of a folder or video to show (1-based).")
  var frame: Int = 1

  @Option(help: "With --once: keys applied before rendering, e.g. \"2t\" (side view, BlazePose-33).")
  var keys: String = ""

  @Option(help: "Where `e` writes <name>.pose.json.")
  var exportDir: String = "."

  @Option(help: "OpenBLAS threads of the estimator.")
  var threads: Int = 1

  @Option(
    help: ArgumentHelp(
      "A trained lifter for the second 3D source (default: the shipped assets/lifter file).",
      discussion:
        "A supervised lifter or an unsupervised one (train --unsupervised), whose poses are scaled to --height."
    ))
  var lifter: String?

  @Flag(help: "No lifter: BlazePose's world landmarks are the only 3D source.")
  var noLifter = false

  @Option(
    name: .customLong("bone-lengths"),
    help: "JSON file of the subject's bone lengths for consistent bones (c); default: estimated per sequence."
  )
  var boneLengths: String?

  @Option(name: .customLong("as"), help: SequenceMode.help)
  var taken: SequenceMode = .auto

  func validate() throws {
    if let fps, !(fps > 0 && fps <= 240) { throw ValidationError("--fps must be in (0, 240]") }
    guard height >= 0.5 && height <= 2.8 else { throw ValidationError("--height is in metres: 0.5 to 2.8") }
    guard threads >= 1 && threads <= 64 else { throw ValidationError("--threads must be between 1 and 64") }
    guard frame >= 1 else { throw ValidationError("--frame is 1-based") }
    if let color, ColorMode(argument: color) == nil {
      throw ValidationError("--color must be truecolor, 256, 16 or none (got \(color))")
    }
    _ = try parsedSize()
  }

  func parsedSize() throws -> (Int, Int) {
    let parts = size.lowercased().split(separator: "x")
    guard parts.count == 2, let w = Int(parts[0]), let h = Int(parts[1]), w >= 1, h >= 1, w <= 1000, h <= 500
    else {
      throw ValidationError("--size must be WIDTHxHEIGHT, e.g. 120x40 (at most 1000x500)")
    }
    return (w, h)
  }

  func run() throws {
    let items = try mediaItems()
    var settings = ViewerSettings(fps: fps ?? 30, bodyHeight: height, exportDirectory: exportDir)
    settings.fpsOverridesVideos = fps != nil
    do {
      settings.subjectLengths = try boneLengths.map { try SubjectBoneLengths.read(path: $0) }
    } catch {
      throw CLIError("\(error)")
    }
    let glyphs: GlyphSet? = ascii ? .ascii : nil
    let loaded = try noLifter ? nil : loadLifter(explicit: lifter, height: height)
    let pipeline = PipelineOptions(threads: threads, lifter: loaded?.poseLifter, sequenceMode: taken)
    if let loaded {
      settings.lifterLabel = loaded.shortName
    }
    if let loaded, loaded.hasAdjustment {
      // The adjuster runs on the UI thread: its own copy of the lifter, apart from the estimating thread's.
      settings.adjuster = try Lifter.load(path: loaded.path, height: loaded.height).boneAdjuster
    }
    if once {
      let (w, h) = try parsedSize()
      let mode = color.flatMap(ColorMode.init(argument:)) ?? .none
      let text: String
      do {
        text = try Viewer.renderOnce(
          items: items, settings: settings, width: w, height: h, colorMode: mode, glyphs: glyphs ?? .unicode,
          frame: frame - 1, keys: keys, pipeline: pipeline)
      } catch {
        throw CLIError("\(error)")
      }
      FileHandle.standardOutput.write(Data(text.utf8))
      return
    }
    guard isatty(STDIN_FILENO) == 1, isatty(STDOUT_FILENO) == 1 else {
      throw CLIError("the viewer needs a terminal; for text output use `posescope view --once PATH`")
    }
    let requested =
      color.flatMap(ColorMode.init(argument:))
      ?? ColorMode.detect(environment: ProcessInfo.processInfo.environment)
    let outcome: ViewerOutcome
    do {
      outcome = try Viewer.run(
        items: items, settings: settings, requestedColor: requested, glyphs: glyphs, pipeline: pipeline)
    } catch {
      throw CLIError("\(error)")
    }
    if case .signal(let s) = outcome { Viewer.exit(bySignal: s) }
  }

  /// The browser's items: the PATHs given (folders listed in natural order, videos probed with ffprobe),
  /// or the sample media.
  func mediaItems() throws -> [MediaItem] {
    var inputs = paths
    if inputs.isEmpty {
      let root = Assets.samplesDirectory
      let candidates = [
        "images/bus.jpg", "images/zidane.jpg", "images/grace_hopper.jpg", "images/astronaut.png",
        "video/sports2d_demo.mp4", "sports2d",
      ].map { root + "/" + $0 }
      inputs = candidates.filter { FileManager.default.fileExists(atPath: $0) }
      guard !inputs.isEmpty else {
        throw CLIError(
          "no sample media in \(root) — fetch them with `scripts/fetch-assets.sh samples`, or pass images "
            + "and frame folders: `posescope view PATH...`")
      }
    }
    var items: [MediaItem] = []
    for path in inputs {
      guard FileManager.default.fileExists(atPath: path) else {
        throw CLIError("\(path): no such file or folder")
      }
      let item = MediaItem.open(path, as: taken)
      // A folder that cannot be listed stops the viewer; a video that cannot be opened says why in it.
      if item.isFolder, let problem = item.problem { throw CLIError(problem) }
      items.append(item)
    }
    return items
  }
}
