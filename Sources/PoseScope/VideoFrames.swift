// PoseScope: video frames through ffmpeg — the tools, the probed video item, and one pipe read in order
// (seeking only when a frame out of order is asked for).

import Foundation
import MediaIO
import PoseCore
import PoseEstimation

/// Where the viewer finds `ffmpeg` and `ffprobe` for video items (default: on `PATH`).
public struct VideoTools: Sendable, Hashable {
  /// The ffmpeg executable, nil: looked up on `PATH`.
  public var ffmpeg: String?
  /// The ffprobe executable, nil: looked up on `PATH`.
  public var ffprobe: String?

  /// Tools at the given paths (nil: on `PATH`).
  public init(ffmpeg: String? = nil, ffprobe: String? = nil) {
    self.ffmpeg = ffmpeg
    self.ffprobe = ffprobe
  }

  /// Opens `path` (frames shrunk to fit `fitting` × `fitting` when given).
  ///
  /// - Throws: `VideoError` naming the file (and how to install ffmpeg when it is missing).
  public func open(_ path: String, fitting side: Int? = nil) throws -> VideoReader {
    try VideoReader(path: path, ffmpeg: ffmpeg, ffprobe: ffprobe, fitting: side)
  }
}

extension MediaItem {
  /// The item of a video file: probed with ffprobe for its frame count and rate (frames counted packet
  /// by packet when the container does not store the count). Never throws: a video that cannot be
  /// opened (no ffmpeg, not a video) becomes an item of one frame whose `problem` says why (the reason;
  /// the viewer shows it after the path).
  public static func video(path: String, tools: VideoTools = VideoTools()) -> MediaItem {
    do {
      let reader = try tools.open(path)
      var frames = reader.info.frameCount
      if frames == nil || reader.info.frameCountIsEstimate, let counted = try? reader.countFrames() {
        frames = counted
      }
      guard let frames, frames > 0 else {
        return MediaItem(
          path: path, kind: .video(frames: 1, fps: reader.info.fps), problem: "the video has no frames")
      }
      return MediaItem(path: path, kind: .video(frames: frames, fps: reader.info.fps))
    } catch {
      return MediaItem(
        path: path, kind: .video(frames: 1, fps: 0), problem: (error as? VideoError)?.reason ?? "\(error)")
    }
  }
}

/// Reads frames of the video items one at a time on one thread, keeping a single ffmpeg pipe open (for
/// the item read last): reading on from where the pipe is costs one frame; any other frame restarts
/// ffmpeg with a seek. Remembers videos that cannot be opened and where a video really ends.
final class VideoFrameSource {
  private let tools: VideoTools
  private let side: Int?
  private var open: (item: Int, reader: VideoReader)?
  private var failures: [Int: String] = [:]
  private var ends: [Int: Int] = [:]
  /// ffmpeg processes started so far.
  private(set) var starts = 0
  /// Largest gap read through (and thrown away) instead of seeking.
  static let readThrough = 12

  /// A source of full frames, or of frames shrunk to fit `side` × `side`.
  init(tools: VideoTools, fitting side: Int? = nil) {
    self.tools = tools
    self.side = side
  }

  deinit { open?.reader.stop() }

  /// The size of the video's frames (before any shrinking), when it was opened.
  func fullSize(item: Int) -> (width: Int, height: Int)? {
    guard let open, open.item == item else { return nil }
    return (open.reader.info.width, open.reader.info.height)
  }

  /// Frame `frame` of video `item` (number `index`), or why it cannot be had. `skipped` gets the frames
  /// read through on the way (from the pipe's position up to `frame`), for a cache.
  func frame(
    _ frame: Int, of item: MediaItem, index: Int, skipped: (Int, Image) -> Void = { _, _ in }
  ) -> Result<Image, VideoError> {
    if let problem = item.problem { return .failure(VideoError(path: item.path, reason: problem)) }
    if let reason = failures[index] { return .failure(VideoError(path: item.path, reason: reason)) }
    guard frame >= 0, frame < item.frameCount else {
      return .failure(VideoError(path: item.path, reason: "no frame \(frame + 1)"))
    }
    if let end = ends[index], frame >= end {
      return .failure(
        VideoError(path: item.path, reason: "no frame \(frame + 1): the video ends after \(end) frames"))
    }
    if open?.item != index {
      open?.reader.stop()
      open = nil
      do {
        open = (index, try tools.open(item.path, fitting: side))
      } catch {
        let reason = (error as? VideoError)?.reason ?? "\(error)"
        failures[index] = reason
        return .failure(VideoError(path: item.path, reason: reason))
      }
    }
    guard let reader = open?.reader else {
      return .failure(VideoError(path: item.path, reason: "cannot open the video"))
    }
    let before = reader.starts
    defer { starts += reader.starts - before }
    do {
      let gap = frame - reader.position
      if gap < 0 || gap > Self.readThrough { try reader.seek(toFrame: frame) }
      while reader.position < frame {
        let at = reader.position
        guard let image = try reader.nextFrame() else { break }
        skipped(at, image)
      }
      guard reader.position == frame, let image = try reader.nextFrame() else {
        ends[index] = min(ends[index] ?? Int.max, reader.position)
        reader.stop()
        let end = ends[index] ?? frame
        return .failure(
          VideoError(path: item.path, reason: "no frame \(frame + 1): the video ends after \(end) frames"))
      }
      return .success(image)
    } catch let error as VideoError {
      reader.stop()
      return .failure(error)
    } catch {
      reader.stop()
      return .failure(VideoError(path: item.path, reason: "\(error)"))
    }
  }

  /// The number of frames video `index` really has, once a read found its end (nil until then).
  func end(of index: Int) -> Int? { ends[index] }

  /// Closes the pipe (ffmpeg ends); the next read opens it again.
  func close() {
    open?.reader.stop()
    open = nil
  }
}
