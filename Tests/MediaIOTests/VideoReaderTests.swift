// VideoReader: frames from ffmpeg over a pipe — count, size, rate, order, seeking, and clear errors.
import Foundation
import Testing

@testable import MediaIO

struct VideoReaderTests {
  /// A lossless (FFV1) 12 fps video of `n` frames, frame i a solid colour that encodes i.
  static func makeVideo(frames n: Int, width: Int = 64, height: Int = 48) throws -> (dir: URL, video: String)
  {
    let dir = FileManager.default.temporaryDirectory.appendingPathComponent(
      "posescope-video-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
    for i in 0..<n {
      let img = try #require(Image(width: width, height: height, color: color(i)))
      try ImageEncoder.writePNG(img, to: dir.appendingPathComponent(String(format: "f%03d.png", i)).path)
    }
    let video = dir.appendingPathComponent("clip.mkv").path
    let p = Process()
    p.executableURL = URL(fileURLWithPath: try #require(VideoReader.which("ffmpeg"), "ffmpeg is needed"))
    p.arguments = [
      "-nostdin", "-v", "error", "-framerate", "12", "-i", dir.appendingPathComponent("f%03d.png").path,
      "-c:v", "ffv1", "-pix_fmt", "bgr0", "-g", "5", video,
    ]
    try p.run()
    p.waitUntilExit()
    #expect(p.terminationStatus == 0)
    return (dir, video)
  }

  static func color(_ i: Int) -> RGB {
    RGB(UInt8(10 * i % 256), UInt8(255 - 7 * i % 256), UInt8(i % 2 == 0 ? 30 : 200))
  }

  @Test func readsEveryFrameInOrderWithSizeAndRate() throws {
    let (dir, video) = try Self.makeVideo(frames: 20)
    defer { try? FileManager.default.removeItem(at: dir) }
    let r = try VideoReader(path: video)
    #expect(r.info.width == 64 && r.info.height == 48)
    #expect(abs(r.info.fps - 12) < 1e-9)
    var i = 0
    while let frame = try r.nextFrame() {
      #expect(frame.width == 64 && frame.height == 48)
      #expect(frame.pixel(x: 10, y: 10) == Self.color(i), "frame \(i)")
      i += 1
    }
    #expect(i == 20)
    #expect(try r.nextFrame() == nil)
  }

  @Test func seeksToExactFrames() throws {
    let (dir, video) = try Self.makeVideo(frames: 20)
    defer { try? FileManager.default.removeItem(at: dir) }
    let r = try VideoReader(path: video)
    for target in [7, 13, 0, 19, 6] {
      try r.seek(toFrame: target)
      let f = try #require(try r.nextFrame(), "frame \(target)")
      #expect(f.pixel(x: 3, y: 3) == Self.color(target), "seek to \(target)")
      #expect(r.position == target + 1)
    }
  }

  @Test func missingFFmpegSaysHowToInstallIt() throws {
    let (dir, video) = try Self.makeVideo(frames: 2)
    defer { try? FileManager.default.removeItem(at: dir) }
    do {
      _ = try VideoReader(path: video, ffmpeg: "/nonexistent/ffmpeg", ffprobe: "/nonexistent/ffprobe")
      Issue.record("expected an error")
    } catch let e as VideoError {
      #expect(e.reason.contains("apt-get install ffmpeg"))
    }
  }

  @Test func notAVideoIsAClearError() throws {
    let dir = FileManager.default.temporaryDirectory.appendingPathComponent(
      "posescope-novideo-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: dir) }
    let path = dir.appendingPathComponent("fake.mp4").path
    try Data("not a video at all".utf8).write(to: URL(fileURLWithPath: path))
    #expect(throws: VideoError.self) { try VideoReader(path: path) }
    #expect(throws: VideoError(path: dir.appendingPathComponent("missing.mp4").path, reason: "no such file"))
    {
      try VideoReader(path: dir.appendingPathComponent("missing.mp4").path)
    }
    #expect(VideoReader.isVideo("a/b.MP4") && !VideoReader.isVideo("a/b.png"))
  }
}
