// PoseScope: the pipeline's inputs — an image, a folder of images or a video as a `MediaItem`, and the
// decision whether a folder is one tracked sequence or a set of images each estimated alone.

import Foundation
import MediaIO
import PoseFormats

/// One input of the pipeline (and an entry of the viewer's browser): an image, a folder of images, or a
/// video file. A folder is one tracked sequence when `tracked` (see `SequenceMode`), else a set of images
/// each estimated alone.
public struct MediaItem: Sendable, Hashable {
  /// What the item is.
  public enum Kind: Sendable, Hashable {
    /// A single image file.
    case image
    /// A frame folder with its frame files in natural order (empty only for an item with a `problem`).
    case folder(frames: [String])
    /// A video file read through ffmpeg: its number of frames (at least 1) and its frame rate (frames per
    /// second; 0 when unknown, e.g. when ffmpeg is missing).
    case video(frames: Int, fps: Double)
  }

  /// The path given (file or folder, without a trailing `/`).
  public var path: String
  /// The name shown in the browser (last path component).
  public var name: String
  /// Image, folder or video.
  public var kind: Kind
  /// Why the item cannot be shown at all (a video that ffmpeg cannot open, or no ffmpeg), without the
  /// path; nil when it can.
  public var problem: String?
  /// Whether the frames of a folder are tracked as one sequence (always true for videos, false for images).
  public var tracked: Bool
  /// How `tracked` was decided, for the progress line and the output ("numbered frames of one size", …).
  public var trackingReason: String?

  /// Creates an item; `name` defaults to the last path component.
  public init(
    path: String, kind: Kind, name: String? = nil, problem: String? = nil, tracked: Bool? = nil,
    trackingReason: String? = nil
  ) {
    var p = path
    while p.count > 1 && p.hasSuffix("/") { p.removeLast() }
    self.path = p
    self.kind = kind
    self.name = name ?? (p.split(separator: "/").last.map(String.init) ?? p)
    self.problem = problem
    switch kind {
    case .image: self.tracked = false
    case .folder: self.tracked = tracked ?? true
    case .video: self.tracked = true
    }
    self.trackingReason = trackingReason
  }

  /// True for frame folders.
  public var isFolder: Bool {
    if case .folder = kind { return true }
    return false
  }

  /// True for video files.
  public var isVideo: Bool {
    if case .video = kind { return true }
    return false
  }

  /// True for items with several frames (folders and videos): they play and step.
  public var isSequence: Bool { isFolder || isVideo }

  /// True for items whose frames are one sequence in time: videos, and folders taken as one (`tracked`).
  /// Their frames are tracked, and grouped as one sequence in the output.
  public var isTrackedSequence: Bool { isVideo || (isFolder && tracked) }

  /// Frames in the item (1 for an image).
  public var frameCount: Int {
    switch kind {
    case .image: return 1
    case .folder(let frames): return frames.count
    case .video(let frames, _): return max(1, frames)
    }
  }

  /// The frame rate of a video (nil for images, folders and videos of unknown rate).
  public var videoFPS: Double? {
    guard case .video(_, let fps) = kind, fps.isFinite, fps > 0 else { return nil }
    return fps
  }

  /// The time of frame `i` in seconds from the start of a video (`i / fps`), nil for other items.
  public func time(ofFrame i: Int) -> Double? { videoFPS.map { Double(i) / $0 } }

  /// The image file of frame `i` (the image itself for `.image` and i = 0), nil when out of range and
  /// for videos (their frames are decoded from `path`).
  public func framePath(_ i: Int) -> String? {
    switch kind {
    case .image: return i == 0 ? path : nil
    case .folder(let frames): return i >= 0 && i < frames.count ? frames[i] : nil
    case .video: return nil
    }
  }

  /// Where a ground-truth sidecar for this item is looked for: `<path>.gt.json`
  /// (`bus.jpg.gt.json`, or `sports2d.gt.json` next to the folder `sports2d/`).
  public var sidecarPath: String { path + ".gt.json" }
}

/// Whether a folder's images are one tracked sequence.
public enum SequenceMode: String, CaseIterable, Sendable {
  /// A folder is one sequence when its files are numbered frames of one size (`frame_0001.jpg`,
  /// `frame_0002.jpg`, … all W×H); otherwise each image is estimated alone.
  case auto
  /// Every folder is one tracked sequence.
  case sequence
  /// Every image is estimated alone.
  case images
}

extension MediaItem {
  /// The item of `path`: a folder (its images in natural order; tracked or not by `mode`), a video (probed
  /// with `tools`), or else an image. Never throws: a folder that cannot be listed becomes an item with no
  /// frames whose `problem` says why; a missing or unreadable image fails when it is decoded.
  public static func open(
    _ path: String, as mode: SequenceMode = .auto, tools: VideoTools = VideoTools()
  ) -> MediaItem {
    var isDirectory: ObjCBool = false
    let exists = FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory)
    if exists && isDirectory.boolValue {
      let frames: [String]
      do { frames = try FrameFolder.list(path) } catch {
        return MediaItem(path: path, kind: .folder(frames: []), problem: "\(error)", tracked: false)
      }
      let (tracked, reason) = decideTracking(frames, mode: mode)
      return MediaItem(path: path, kind: .folder(frames: frames), tracked: tracked, trackingReason: reason)
    }
    if exists && VideoReader.isVideo(path) { return .video(path: path, tools: tools) }
    return MediaItem(path: path, kind: .image)
  }

  /// Whether `frames` (a folder's images in natural order) are one sequence under `mode`, and why.
  ///
  /// `auto`: numbered frames — at least two files whose names differ only in one run of digits (same text
  /// before and after it, so `frame_0001.jpg` … `frame_0230.jpg`) — all of one pixel size (read from the
  /// file headers; a file whose header cannot be read does not count against it: it fails on its own).
  public static func decideTracking(_ frames: [String], mode: SequenceMode) -> (Bool, String) {
    switch mode {
    case .sequence: return (true, "--as sequence")
    case .images: return (false, "--as images")
    case .auto: break
    }
    guard frames.count >= 2 else { return (false, "a single image") }
    let names = frames.map { ($0 as NSString).lastPathComponent }
    guard let pattern = numberedPattern(names[0]),
      names.dropFirst().allSatisfy({ numberedPattern($0) == pattern })
    else { return (false, "not numbered frames") }
    var size: ImageDecoder.Size?
    for file in frames {
      guard let s = try? ImageDecoder.size(path: file) else { continue }
      if let size, size != s { return (false, "numbered, but of different sizes") }
      size = s
    }
    return (true, "numbered frames of one size")
  }

  /// The name with its last run of digits taken out (`frame_0001.jpg` → `frame_#.jpg`), nil without digits.
  static func numberedPattern(_ name: String) -> String? {
    let chars = Array(name)
    guard let last = chars.lastIndex(where: { $0.isASCII && $0.isNumber }) else { return nil }
    var first = last
    while first > 0, chars[first - 1].isASCII, chars[first - 1].isNumber { first -= 1 }
    return String(chars[..<first]) + "#" + String(chars[(last + 1)...])
  }

  /// Loads the ground-truth sidecar of this item when the file exists: nil when there is none, else the
  /// ground truth or the reason it could not be used.
  public func groundTruth() -> Result<GroundTruth, GroundTruthError>? {
    guard FileManager.default.fileExists(atPath: sidecarPath) else { return nil }
    do {
      return .success(try GroundTruth.load(path: sidecarPath, frameCount: frameCount))
    } catch {
      return .failure(error)
    }
  }
}
