// PoseScopeTests: video items in the pipeline — one ffmpeg pipe read in order and seeking only when it must,
// display images from the wish list, the background service's order, and a video estimated like the same
// frames in a folder.
import Foundation
import PoseScopeTestSupport
import Testing

@testable import PoseScope

/// Tools that are not there: what a machine without ffmpeg looks like.
private let noFFmpeg = VideoTools(ffmpeg: "/nonexistent/ffmpeg", ffprobe: "/nonexistent/ffprobe")

/// The colour at the centre of a thumbnail, or nil when it is not an image.
private func centre(_ t: Thumbnail?) -> RGB? {
  guard case .image(let image, _, _)? = t else { return nil }
  return image.pixel(x: image.width / 2, y: image.height / 2)
}

@Test func seekingShowsThatFramesContent() throws {
  let (dir, _, video) = try TestVideo.solid(frames: 20)
  defer { try? FileManager.default.removeItem(at: dir) }
  let item = MediaItem.video(path: video)
  // One-off loads (a fresh ffmpeg for each), in an order that jumps both ways across keyframes.
  for frame in [13, 0, 19, 7, 6] {
    let thumb = ThumbnailLoader.load(item, frame: frame)
    #expect(centre(thumb) == TestVideo.color(frame), "frame \(frame)")
    if case .image(let image, let w, let h) = thumb {
      #expect(image.width == 64 && image.height == 48 && w == 64 && h == 48)
    }
  }
  guard case .failed(let reason) = ThumbnailLoader.load(item, frame: 20) else {
    Issue.record("frame 21 of 20 should fail")
    return
  }
  #expect(reason.contains("no frame 21"))
}

@Test func oneSourceReadsOnThroughThePipeAndSeeksOnlyWhenItMust() throws {
  let (dir, _, video) = try TestVideo.solid(frames: 20)
  defer { try? FileManager.default.removeItem(at: dir) }
  let item = MediaItem.video(path: video)
  let source = VideoFrameSource(tools: VideoTools())
  func read(_ f: Int, skipped: inout [Int]) throws -> RGB? {
    var seen: [Int] = []
    let image = try source.frame(f, of: item, index: 3) { i, img in
      #expect(img.pixel(x: 1, y: 1) == TestVideo.color(i), "skipped frame \(i)")
      seen.append(i)
    }.get()
    skipped = seen
    return image.pixel(x: 5, y: 5)
  }
  var skipped: [Int] = []
  for f in 0..<6 {
    #expect(try read(f, skipped: &skipped) == TestVideo.color(f))
    #expect(skipped.isEmpty)
  }
  #expect(source.starts == 1)
  // A short jump forward reads through (the frames on the way are handed out), a long one or any jump
  // back seeks (a new ffmpeg).
  #expect(try read(9, skipped: &skipped) == TestVideo.color(9))
  #expect(skipped == [6, 7, 8] && source.starts == 1)
  #expect(try read(2, skipped: &skipped) == TestVideo.color(2))
  #expect(source.starts == 2)
  #expect(try read(18, skipped: &skipped) == TestVideo.color(18))
  #expect(source.starts == 3 && skipped.isEmpty)
  #expect(try read(19, skipped: &skipped) == TestVideo.color(19))
  #expect(source.starts == 3)
  // Shrunk by ffmpeg for display: the size fits the square, a solid colour stays that colour.
  let small = VideoFrameSource(tools: VideoTools(), fitting: 16)
  let image = try small.frame(4, of: item, index: 0).get()
  #expect(image.width == 16 && image.height == 12)
  let c = try #require(image.pixel(x: 8, y: 6))
  let want = TestVideo.color(4)
  #expect(
    abs(Int(c.r) - Int(want.r)) <= 2 && abs(Int(c.g) - Int(want.g)) <= 2 && abs(Int(c.b) - Int(want.b)) <= 2)
  #expect(small.fullSize(item: 0)! == (64, 48))
}

@Test func theLoaderFillsTheCacheFromTheWishList() throws {
  let (dir, _, video) = try TestVideo.solid(frames: 40)
  defer { try? FileManager.default.removeItem(at: dir) }
  let items = [MediaItem(path: "/nonexistent/a.png", kind: .image), MediaItem.video(path: video)]
  let cache = ThumbnailCache()
  let loader = ThumbnailLoader(items: items, cache: cache)
  loader.start()
  defer { loader.stopAndWait() }
  func waitFor(_ keys: [ThumbnailCache.Key]) {
    let deadline = Date(timeIntervalSinceNow: 60)
    while !keys.allSatisfy({ cache.contains($0) }) && Date() < deadline { usleep(10_000) }
  }
  // As while playing: the current frame and the next ones, read in order from one pipe.
  let first = (0..<8).map { ThumbnailCache.Key(item: 1, frame: $0) }
  loader.want(first)
  waitFor(first)
  for key in first { #expect(centre(cache.get(key)) == TestVideo.color(key.frame), "frame \(key.frame)") }
  #expect(loader.videoStarts == 1)
  // A long jump ahead and a jump back are seeks (a new ffmpeg each); a short one ahead reads through
  // (the frames on the way are cached too).
  for (frame, starts) in [(30, 2), (20, 3), (24, 3), (39, 4)] {
    let key = ThumbnailCache.Key(item: 1, frame: frame)
    loader.want([key])
    waitFor([key])
    #expect(centre(cache.get(key)) == TestVideo.color(frame), "frame \(frame)")
    #expect(loader.videoStarts == starts, "frame \(frame)")
  }
  #expect(centre(cache.get(.init(item: 1, frame: 22))) == TestVideo.color(22))
}

@Test func theFocusedVideoIsEstimatedInOrderBeforeTheImages() {
  let items = [
    MediaItem(path: "/m/a.jpg", kind: .image),
    MediaItem(path: "/m/clip.mp4", kind: .video(frames: 5, fps: 30)),
    MediaItem(path: "/m/run", kind: .folder(frames: ["/m/run/1.jpg", "/m/run/2.jpg"])),
    MediaItem(path: "/m/b.jpg", kind: .image),
    MediaItem(path: "/m/other.webm", kind: .video(frames: 3, fps: 25)),
  ]
  let service = EstimationService(items: items, thumbnails: ThumbnailCache())
  service.focus(item: 1)
  var order: [String] = []
  while let (item, frame) = service.nextJob(), order.count < 50 {
    order.append("\(item):\(frame)")
    service.store(PoseFrame(width: 8, height: 8, result: nil), item: item, frame: frame)
    if order.count == 2 {
      // Frame 3 estimated out of turn (nothing does that today): it is not done twice.
      service.store(PoseFrame(width: 8, height: 8, result: nil), item: 1, frame: 3)
    }
  }
  // The video frame by frame (the tracker needs them in order), then the single images; the folder and
  // the other video wait until they are looked at.
  #expect(order == ["1:0", "1:1", "1:2", "1:4", "0:0", "3:0"])
  service.focus(item: 4)
  #expect(service.nextJob().map { "\($0.0):\($0.1)" } == "4:0")
}

/// `n` sample sports2d frames from frame 120 on, at half size; fails the test, naming the fetch script, when
/// one is missing.
private func sportsFrames(_ n: Int) throws -> [Image] {
  try (120..<120 + n).map { i in
    let image = try ImageDecoder.load(
      path: try TestAssets.sample(String(format: "sports2d/frame_%04d.jpg", i)))
    return image.resized(width: image.width / 2, height: image.height / 2)
  }
}

@Test func aVideoIsEstimatedLikeTheSameFramesInAFolder() throws {
  _ = try TestAssets.model(ModelStore.landmarkFile)
  let images = try sportsFrames(6)
  let (dir, frames, video) = try TestVideo.make(images, fps: 30)
  defer { try? FileManager.default.removeItem(at: dir) }
  let items = [MediaItem.video(path: video), MediaItem(path: dir.path, kind: .folder(frames: frames))]
  try #require(items[0].frameCount == 6)
  let engine = try FrameEstimator()
  for f in 0..<6 {
    let (fromVideo, decoded) = engine.estimate(item: items[0], itemIndex: 0, frame: f)
    let (fromFolder, _) = engine.estimate(item: items[1], itemIndex: 1, frame: f)
    // FFV1 is lossless: the video's frames are the folder's pixels, so the tracked poses are identical.
    let a = try #require(fromVideo.result, "frame \(f): \(fromVideo.error ?? "no person")")
    let b = try #require(fromFolder.result)
    #expect(a.landmarks == b.landmarks && a.worldLandmarks == b.worldLandmarks, "frame \(f)")
    #expect(fromVideo.imageWidth == 884 && fromVideo.imageHeight == 497)
    // Frames after the first are tracked (no detector run).
    #expect((a.detection == nil) == (f > 0), "frame \(f)")
    // The full decoded frame comes back with the estimate (the viewer shrinks it for display).
    #expect(decoded?.width == 884 && decoded?.height == 497)
  }
  // Six frames in order from a single ffmpeg process.
  #expect(engine.videoStarts == 1)
  // Out of order (a seek): tracking restarts, so the detector runs again.
  let (again, _) = engine.estimate(item: items[0], itemIndex: 0, frame: 2)
  #expect(again.result?.detection != nil && engine.videoStarts == 2)
}

@Test func theServiceRunsThroughAFocusedVideoFromOnePipe() throws {
  _ = try TestAssets.model(ModelStore.landmarkFile)
  let (dir, _, video) = try TestVideo.solid(frames: 12)
  defer { try? FileManager.default.removeItem(at: dir) }
  let items = [MediaItem.video(path: video), MediaItem.video(path: video, tools: noFFmpeg)]
  let cache = ThumbnailCache()
  let service = EstimationService(items: items, thumbnails: cache)
  service.focus(item: 0)
  service.start()
  defer { service.stopAndWait() }
  let deadline = Date(timeIntervalSinceNow: 300)
  while service.progress(item: 0).done < 12 && Date() < deadline { usleep(20_000) }
  let estimates = service.estimates(item: 0)
  #expect(estimates.count == 12 && estimates.allSatisfy { $0 != nil && $0?.error == nil })
  #expect(service.videoStarts == 1)
  // The display images the worker decoded on the way are cached, each with its frame's colour.
  for f in [0, 5, 11] {
    #expect(centre(cache.get(.init(item: 0, frame: f))) == TestVideo.color(f), "frame \(f)")
  }
  // The video without ffmpeg fails with the install hint once it is looked at.
  service.focus(item: 1)
  let later = Date(timeIntervalSinceNow: 60)
  while service.estimate(item: 1, frame: 0) == nil && Date() < later { usleep(20_000) }
  #expect(service.estimate(item: 1, frame: 0)?.error?.contains("apt-get install ffmpeg") == true)
}
