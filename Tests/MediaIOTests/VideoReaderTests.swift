// VideoReader: frames from ffmpeg over a pipe — count, size, rate, order, seeking, and clear errors.
import Foundation
import PoseScopeTestSupport
import Testing

@testable import MediaIO

struct VideoReaderTests {
  @Test func readsEveryFrameInOrderWithSizeAndRate() throws {
    let (dir, _, video) = try TestVideo.solid(frames: 20)
    defer { try? FileManager.default.removeItem(at: dir) }
    let r = try VideoReader(path: video)
    #expect(r.info.width == 64 && r.info.height == 48)
    #expect(abs(r.info.fps - 12) < 1e-9)
    var i = 0
    while let frame = try r.nextFrame() {
      #expect(frame.width == 64 && frame.height == 48)
      #expect(frame.pixel(x: 10, y: 10) == TestVideo.color(i), "frame \(i)")
      i += 1
    }
    #expect(i == 20)
    #expect(try r.nextFrame() == nil)
  }

  @Test func seeksToExactFrames() throws {
    let (dir, _, video) = try TestVideo.solid(frames: 20)
    defer { try? FileManager.default.removeItem(at: dir) }
    let r = try VideoReader(path: video)
    for target in [7, 13, 0, 19, 6] {
      try r.seek(toFrame: target)
      let f = try #require(try r.nextFrame(), "frame \(target)")
      #expect(f.pixel(x: 3, y: 3) == TestVideo.color(target), "seek to \(target)")
      #expect(r.position == target + 1)
    }
  }

  @Test func missingFFmpegSaysHowToInstallIt() throws {
    let (dir, _, video) = try TestVideo.solid(frames: 2)
    defer { try? FileManager.default.removeItem(at: dir) }
    do {
      _ = try VideoReader(path: video, ffmpeg: "/nonexistent/ffmpeg", ffprobe: "/nonexistent/ffprobe")
      Issue.record("expected an error")
    } catch let e as VideoError {
      #expect(e.reason.contains("apt-get install ffmpeg"))
    }
  }

  @Test func notAVideoIsAClearError() throws {
    let dir = try TestFiles.makeTemporaryFolderURL("posescope-novideo")
    defer { try? FileManager.default.removeItem(at: dir) }
    let path = dir.appendingPathComponent("fake.mp4").path
    try TestFiles.write("not a video at all", to: path)
    #expect(throws: VideoError.self) { try VideoReader(path: path) }
    #expect(throws: VideoError(path: dir.appendingPathComponent("missing.mp4").path, reason: "no such file"))
    {
      try VideoReader(path: dir.appendingPathComponent("missing.mp4").path)
    }
    #expect(VideoReader.isVideo("a/b.MP4") && !VideoReader.isVideo("a/b.png"))
  }
}
