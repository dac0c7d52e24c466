// MediaIO: video files as frame sources, decoded by an `ffmpeg` subprocess into raw RGB over a pipe.
import Foundation

/// What `ffprobe` says about a video's first video stream.
public struct VideoInfo: Sendable, Equatable {
  /// Frame size after the container's rotation is applied (as ffmpeg outputs it).
  public var width: Int
  public var height: Int
  /// Frames per second (the stream's average rate; its nominal rate when the average is unknown).
  public var fps: Double
  /// Frames in the stream, when the container says (else estimated from the duration).
  public var frameCount: Int?
  /// Duration in seconds, when known.
  public var duration: Double?
  /// True when `frameCount` was estimated from the duration (the container does not store it); see
  /// `VideoReader.countFrames`.
  public var frameCountIsEstimate = false
}

/// An error reading a video: the file, and what went wrong.
public struct VideoError: Error, CustomStringConvertible, Equatable, Sendable {
  public var path: String
  public var reason: String
  public init(path: String, reason: String) {
    self.path = path
    self.reason = reason
  }
  public var description: String { "\(path): \(reason)" }
}

/// Reads the frames of a video file in order, as RGB8 `Image`s, from `ffmpeg -f rawvideo -pix_fmt rgb24`.
///
/// No temporary files are written. `seek(toFrame:)` restarts ffmpeg with an accurate seek (it decodes
/// from the keyframe before and outputs from the exact frame). Frame `i`'s timestamp is `i / fps`
/// (constant-rate videos).
public final class VideoReader {
  /// File extensions treated as videos (case-insensitive).
  public static let extensions: Set<String> = [
    "mp4", "mov", "mkv", "webm", "avi", "m4v", "mpg", "mpeg", "wmv",
  ]

  /// Whether `path` names a video by its extension.
  public static func isVideo(_ path: String) -> Bool {
    extensions.contains((path as NSString).pathExtension.lowercased())
  }

  public let path: String
  public let info: VideoInfo
  /// The index of the frame `nextFrame()` returns next.
  public private(set) var position = 0
  /// Size of the frames `nextFrame()` returns: the video's, or smaller when `fitting` was given.
  public let frameWidth: Int
  public let frameHeight: Int
  /// How many ffmpeg processes were started so far (one per seek that was followed by a read).
  public private(set) var starts = 0

  private let ffmpeg: String
  private let ffprobe: String
  private var process: Process?
  private var pipe: FileHandle?

  /// Opens `path`, probing it with `ffprobe`. `ffmpeg`/`ffprobe` are looked up on `PATH` unless given.
  /// With `fitting`, ffmpeg shrinks every frame (area averaging, aspect ratio kept, never enlarged) to
  /// fit in a `fitting` × `fitting` square before handing it over: much cheaper than moving full frames
  /// through the pipe when only a thumbnail is needed.
  public init(path: String, ffmpeg: String? = nil, ffprobe: String? = nil, fitting side: Int? = nil) throws {
    self.path = path
    guard FileManager.default.fileExists(atPath: path) else {
      throw VideoError(path: path, reason: "no such file")
    }
    guard let ffmpegPath = ffmpeg ?? Self.which("ffmpeg"), let probePath = ffprobe ?? Self.which("ffprobe"),
      FileManager.default.isExecutableFile(atPath: ffmpegPath),
      FileManager.default.isExecutableFile(atPath: probePath)
    else {
      throw VideoError(
        path: path,
        reason: "reading videos needs ffmpeg and ffprobe, which were not found "
          + "(install them: sudo apt-get install ffmpeg)")
    }
    self.ffmpeg = ffmpegPath
    self.ffprobe = probePath
    info = try Self.probe(path: path, ffprobe: probePath)
    guard info.width > 0, info.height > 0, info.width <= ImageLimits.maxSide,
      info.height <= ImageLimits.maxSide,
      info.width * info.height <= ImageLimits.maxPixels
    else {
      throw VideoError(path: path, reason: "unsupported frame size \(info.width)×\(info.height)")
    }
    let (w, h) = (info.width, info.height)
    let scale = side.map { min(1, Double(max(1, $0)) / Double(max(w, h))) } ?? 1
    frameWidth = max(1, min(w, Int((Double(w) * scale).rounded())))
    frameHeight = max(1, min(h, Int((Double(h) * scale).rounded())))
  }

  deinit { stop() }

  /// The next frame, or nil at the end of the video.
  public func nextFrame() throws -> Image? {
    if pipe == nil { try start(at: position) }
    guard let pipe else { return nil }
    let size = frameWidth * frameHeight * 3
    var data = Data()
    data.reserveCapacity(size)
    while data.count < size {
      let chunk = try pipe.read(upToCount: size - data.count) ?? Data()
      if chunk.isEmpty { break }
      data.append(chunk)
    }
    if data.isEmpty {
      stop()
      return nil
    }
    guard data.count == size, let image = Image(width: frameWidth, height: frameHeight, pixels: [UInt8](data))
    else {
      stop()
      throw VideoError(path: path, reason: "frame \(position) is truncated (the video ends mid-frame)")
    }
    position += 1
    return image
  }

  /// Positions the reader so that `nextFrame()` returns frame `index` (0-based).
  public func seek(toFrame index: Int) throws {
    stop()
    position = max(0, index)
  }

  /// Stops the ffmpeg process (it is started again on demand).
  public func stop() {
    try? pipe?.close()
    pipe = nil
    if let p = process, p.isRunning { p.terminate() }
    process?.waitUntilExit()
    process = nil
  }

  private func start(at frame: Int) throws {
    let p = Process()
    p.executableURL = URL(fileURLWithPath: ffmpeg)
    var args = ["-nostdin", "-v", "error"]
    if frame > 0 {
      // Accurate input seeking: the first frame output is the first with a timestamp ≥ the time given,
      // so half a frame before frame `frame` lands exactly on it.
      args += ["-ss", String(format: "%.6f", (Double(frame) - 0.5) / info.fps)]
    }
    args += ["-i", path, "-map", "0:v:0", "-an", "-sn"]
    if frameWidth != info.width || frameHeight != info.height {
      args += ["-vf", "scale=\(frameWidth):\(frameHeight):flags=area"]
    }
    args += ["-f", "rawvideo", "-pix_fmt", "rgb24", "pipe:1"]
    p.arguments = args
    let out = Pipe()
    p.standardOutput = out
    p.standardError = FileHandle.nullDevice
    p.standardInput = FileHandle.nullDevice
    do { try p.run() } catch {
      throw VideoError(path: path, reason: "cannot start ffmpeg: \(error)")
    }
    process = p
    pipe = out.fileHandleForReading
    starts += 1
  }

  /// Counts the frames of the video by reading its packets (no decoding): exact where the container
  /// does not store a count (Matroska, WebM), at the cost of one pass over the file.
  public func countFrames() throws -> Int {
    let p = Process()
    p.executableURL = URL(fileURLWithPath: ffprobe)
    p.arguments = [
      "-v", "error", "-select_streams", "v:0", "-count_packets", "-show_entries", "stream=nb_read_packets",
      "-of", "csv=p=0", path,
    ]
    let out = Pipe()
    p.standardOutput = out
    p.standardError = FileHandle.nullDevice
    p.standardInput = FileHandle.nullDevice
    do { try p.run() } catch { throw VideoError(path: path, reason: "cannot start ffprobe: \(error)") }
    let data = out.fileHandleForReading.readDataToEndOfFile()
    p.waitUntilExit()
    let text = String(decoding: data.prefix(64), as: UTF8.self).trimmingCharacters(
      in: .whitespacesAndNewlines)
    guard p.terminationStatus == 0, let n = Int(text.split(separator: ",").first ?? ""), n >= 0 else {
      throw VideoError(path: path, reason: "cannot count the frames (ffprobe said \"\(text)\")")
    }
    return n
  }

  static func which(_ tool: String) -> String? {
    let dirs = (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin").split(separator: ":")
    for d in dirs {
      let p = String(d) + "/" + tool
      if FileManager.default.isExecutableFile(atPath: p) { return p }
    }
    return nil
  }

  static func probe(path: String, ffprobe: String) throws -> VideoInfo {
    let p = Process()
    p.executableURL = URL(fileURLWithPath: ffprobe)
    p.arguments = [
      "-v", "error", "-select_streams", "v:0", "-show_entries",
      "stream=width,height,r_frame_rate,avg_frame_rate,nb_frames,duration:stream_side_data=rotation"
        + ":stream_tags=rotate:format=duration",
      "-of", "json", path,
    ]
    let out = Pipe()
    let err = Pipe()
    p.standardOutput = out
    p.standardError = err
    p.standardInput = FileHandle.nullDevice
    do { try p.run() } catch { throw VideoError(path: path, reason: "cannot start ffprobe: \(error)") }
    let data = out.fileHandleForReading.readDataToEndOfFile()
    let errText = String(decoding: err.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
    p.waitUntilExit()
    guard p.terminationStatus == 0,
      let json = try? JSONSerialization.jsonObject(with: data) as? [String: Any],
      let streams = json["streams"] as? [[String: Any]], let s = streams.first
    else {
      let why = errText.split(separator: "\n").last.map(String.init) ?? "no video stream"
      throw VideoError(path: path, reason: "not a readable video (\(why))")
    }
    func rate(_ v: Any?) -> Double? {
      guard let str = v as? String else { return nil }
      let parts = str.split(separator: "/").compactMap { Double($0) }
      guard parts.count == 2, parts[1] > 0, parts[0] > 0 else { return nil }
      return parts[0] / parts[1]
    }
    guard var w = s["width"] as? Int, var h = s["height"] as? Int else {
      throw VideoError(path: path, reason: "the video stream has no frame size")
    }
    var rotation = 0.0
    if let side = s["side_data_list"] as? [[String: Any]] {
      for d in side {
        if let r = d["rotation"] as? Double {
          rotation = r
        } else if let r = d["rotation"] as? Int {
          rotation = Double(r)
        }
      }
    }
    if let tags = s["tags"] as? [String: Any], let r = (tags["rotate"] as? String).flatMap(Double.init) {
      rotation = r
    }
    if Int(abs(rotation).rounded()) % 180 == 90 { swap(&w, &h) }
    guard let fps = rate(s["avg_frame_rate"]) ?? rate(s["r_frame_rate"]), fps.isFinite, fps > 0, fps < 10_000
    else {
      throw VideoError(path: path, reason: "the video has no usable frame rate")
    }
    let duration =
      (s["duration"] as? String).flatMap(Double.init)
      ?? ((json["format"] as? [String: Any])?["duration"] as? String).flatMap(Double.init)
    var frames = (s["nb_frames"] as? String).flatMap(Int.init).flatMap { $0 >= 0 ? $0 : nil }
    var estimated = false
    if frames == nil, let duration, duration.isFinite, duration >= 0, duration * fps < 1e9 {
      frames = Int((duration * fps).rounded())
      estimated = true
    }
    return VideoInfo(
      width: w, height: h, fps: fps, frameCount: frames, duration: duration, frameCountIsEstimate: estimated)
  }
}
