// PoseScope: display images — a byte-bounded LRU cache of downscaled frames and the thread that fills it.

import Foundation
import MediaIO
import PoseCore
import PoseEstimation

/// A display image or the reason there is none.
public enum Thumbnail: Sendable {
  /// The (downscaled) image and the full image's size.
  case image(Image, fullWidth: Int, fullHeight: Int)
  /// The file could not be read.
  case failed(String)

  /// Longest side of the display images.
  public static let side = 400

  /// The display image of a full-size `image`: shrunk to fit in `side` × `side` pixels (unchanged when
  /// already smaller), with the full size.
  public static func of(_ image: Image, side: Int = side) -> Thumbnail {
    let scale = min(1, Double(side) / Double(max(image.width, image.height)))
    guard scale < 1 else { return .image(image, fullWidth: image.width, fullHeight: image.height) }
    let small = image.resized(
      width: max(1, Int((Double(image.width) * scale).rounded())),
      height: max(1, Int((Double(image.height) * scale).rounded())))
    return .image(small, fullWidth: image.width, fullHeight: image.height)
  }
}

/// A thread-safe, byte-bounded LRU cache of downscaled display images keyed by (item, frame).
public final class ThumbnailCache: @unchecked Sendable {
  /// A cache key.
  public struct Key: Hashable, Sendable {
    /// Item index.
    public var item: Int
    /// Frame index.
    public var frame: Int
    /// Creates a key.
    public init(item: Int, frame: Int) {
      self.item = item
      self.frame = frame
    }
  }

  /// Largest total size of the cached pixels.
  public let byteLimit: Int
  private let lock = NSLock()
  private var entries: [Key: (thumb: Thumbnail, bytes: Int, used: UInt64)] = [:]
  private var clock: UInt64 = 0
  private var bytes = 0

  /// Creates a cache holding at most `byteLimit` bytes of pixels (default 96 MiB).
  public init(byteLimit: Int = 96 << 20) { self.byteLimit = max(1 << 20, byteLimit) }

  /// The cached thumbnail (marked as recently used).
  public func get(_ key: Key) -> Thumbnail? {
    lock.lock()
    defer { lock.unlock() }
    guard var e = entries[key] else { return nil }
    clock += 1
    e.used = clock
    entries[key] = e
    return e.thumb
  }

  /// True when `key` is cached (without touching its age).
  public func contains(_ key: Key) -> Bool {
    lock.lock()
    defer { lock.unlock() }
    return entries[key] != nil
  }

  /// Stores a thumbnail, evicting the least recently used ones beyond the byte limit.
  public func put(_ key: Key, _ thumb: Thumbnail) {
    let size: Int
    switch thumb {
    case .image(let image, _, _): size = image.pixels.count + 64
    case .failed(let s): size = s.utf8.count + 64
    }
    lock.lock()
    defer { lock.unlock() }
    clock += 1
    if let old = entries[key] { bytes -= old.bytes }
    entries[key] = (thumb, size, clock)
    bytes += size
    while bytes > byteLimit, entries.count > 1 {
      guard let oldest = entries.min(by: { $0.value.used < $1.value.used }) else { break }
      if oldest.key == key { break }
      bytes -= oldest.value.bytes
      entries[oldest.key] = nil
    }
  }

  /// Bytes held now.
  public var totalBytes: Int {
    lock.lock()
    defer { lock.unlock() }
    return bytes
  }

  /// Entries held now.
  public var count: Int {
    lock.lock()
    defer { lock.unlock() }
    return entries.count
  }
}

/// Decodes display images on a background thread: the current frame first, then the frames the UI
/// expects next (`want`), into a `ThumbnailCache`.
public final class ThumbnailLoader: @unchecked Sendable {
  private let items: [MediaItem]
  private let cache: ThumbnailCache
  /// The thread, its stop flag, and the lock that also guards `wanted` and `loadedCount`.
  private let worker = WorkerThread()
  private var wanted: [ThumbnailCache.Key] = []
  /// Bumped whenever an image is stored, so a loop can tell when to redraw.
  private var loadedCount = 0
  /// Video frames, shrunk by ffmpeg to the display size (loader thread only).
  private let videoFrames: VideoFrameSource
  private var ffmpegStarts = 0

  /// A loader for `items` into `cache`; video items are read with `videoTools`.
  public init(items: [MediaItem], cache: ThumbnailCache, videoTools: VideoTools = VideoTools()) {
    self.items = items
    self.cache = cache
    videoFrames = VideoFrameSource(tools: videoTools, fitting: Thumbnail.side)
  }

  /// ffmpeg processes the loader started for video items so far (seeks, mostly).
  public var videoStarts: Int {
    worker.condition.lock()
    defer { worker.condition.unlock() }
    return ffmpegStarts
  }

  /// Starts the loader thread.
  public func start() {
    worker.start(name: "posescope-images", stackSize: 4 << 20) { [self] in run() }
  }

  /// Replaces the wish list (most wanted first).
  public func want(_ keys: [ThumbnailCache.Key]) {
    worker.condition.lock()
    if keys != wanted {
      wanted = keys
      worker.condition.signal()
    }
    worker.condition.unlock()
  }

  /// Images stored so far.
  public var loaded: Int {
    worker.condition.lock()
    defer { worker.condition.unlock() }
    return loadedCount
  }

  /// Stops the thread.
  public func stop() { worker.stop() }

  /// Stops the thread and waits until it has ended (at most `timeout` seconds).
  @discardableResult
  public func stopAndWait(timeout: Double = 10) -> Bool { worker.stopAndWait(timeout: timeout) }

  /// Loads the display image of frame `frame` of `item` (synchronously; a video is opened for it).
  public static func load(_ item: MediaItem, frame: Int, videoTools: VideoTools = VideoTools()) -> Thumbnail {
    if item.isVideo {
      let source = VideoFrameSource(tools: videoTools, fitting: Thumbnail.side)
      return thumbnail(source.frame(frame, of: item, index: 0), source: source, item: 0)
    }
    guard let path = item.framePath(frame) else { return .failed("\(item.name): no frame \(frame + 1)") }
    do {
      let image = try ImageDecoder.load(path: path)
      return .of(image)
    } catch {
      return .failed("\(error)")
    }
  }

  /// A video frame read (shrunk) as a display image, with the video's full size.
  static func thumbnail(_ read: Result<Image, VideoError>, source: VideoFrameSource, item: Int) -> Thumbnail {
    switch read {
    case .success(let image):
      let full = source.fullSize(item: item) ?? (image.width, image.height)
      return .image(image, fullWidth: full.width, fullHeight: full.height)
    case .failure(let error):
      return .failed(error.description)
    }
  }

  private func run() {
    while let key = worker.next({ wanted.first { !cache.contains($0) } }), items.indices.contains(key.item) {
      let item = items[key.item]
      var stored = 1
      if item.isVideo {
        // Frames read through on the way to the wanted one are kept too (the next ones wanted in play).
        let source = videoFrames
        let read = source.frame(key.frame, of: item, index: key.item) { [cache] f, image in
          let full = source.fullSize(item: key.item) ?? (image.width, image.height)
          cache.put(
            .init(item: key.item, frame: f), .image(image, fullWidth: full.width, fullHeight: full.height))
          stored += 1
        }
        worker.condition.lock()
        ffmpegStarts = videoFrames.starts
        worker.condition.unlock()
        cache.put(key, Self.thumbnail(read, source: source, item: key.item))
      } else {
        cache.put(key, Self.load(item, frame: key.frame))
      }
      worker.condition.lock()
      loadedCount += stored
      worker.condition.unlock()
    }
    videoFrames.close()
  }
}
