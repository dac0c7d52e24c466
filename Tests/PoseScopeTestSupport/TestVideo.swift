// PoseScopeTestSupport: small lossless test videos, made with ffmpeg in a temporary folder.
import Foundation
import MediaIO
import Testing

/// Small lossless test videos made with ffmpeg (which the video tests need; CI installs it).
public enum TestVideo {
  /// ffmpeg on `PATH`; fails the test, saying how to install it, when there is none.
  public static func ffmpeg(sourceLocation: SourceLocation = #_sourceLocation) throws -> String {
    let dirs = (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin").split(separator: ":")
    let found = dirs.map { String($0) + "/ffmpeg" }.first { FileManager.default.isExecutableFile(atPath: $0) }
    return try #require(
      found, "ffmpeg is needed for the video tests (sudo apt-get install ffmpeg)",
      sourceLocation: sourceLocation)
  }

  /// The solid colour of frame `i` of `solid(frames:)` (distinct for i < 25 in every channel combination
  /// used).
  public static func color(_ i: Int) -> RGB {
    RGB(UInt8(10 * i % 256), UInt8(255 - 7 * i % 256), UInt8(i % 2 == 0 ? 30 : 200))
  }

  /// A new temporary folder with the PNG frames `images` (`f000.png`, …) and `clip.mkv`, an FFV1 (lossless
  /// RGB) Matroska video of them at `fps` with a keyframe every 5 frames, so that seeks land between
  /// keyframes. The caller removes `dir`.
  public static func make(
    _ images: [Image], fps: Int = 12, sourceLocation: SourceLocation = #_sourceLocation
  ) throws -> (dir: URL, frames: [String], video: String) {
    let dir = try TestFiles.makeTemporaryFolderURL("posescope-video")
    var frames: [String] = []
    for (i, image) in images.enumerated() {
      let path = dir.appendingPathComponent(String(format: "f%03d.png", i)).path
      try ImageEncoder.writePNG(image, to: path)
      frames.append(path)
    }
    let video = dir.appendingPathComponent("clip.mkv").path
    let p = Process()
    p.executableURL = URL(fileURLWithPath: try ffmpeg(sourceLocation: sourceLocation))
    p.arguments = [
      "-nostdin", "-v", "error", "-framerate", "\(fps)", "-i", dir.appendingPathComponent("f%03d.png").path,
      "-c:v", "ffv1", "-pix_fmt", "bgr0", "-g", "5", video,
    ]
    try p.run()
    p.waitUntilExit()
    try #require(
      p.terminationStatus == 0, "ffmpeg could not make the test video", sourceLocation: sourceLocation)
    return (dir, frames, video)
  }

  /// `make` with `n` frames of `width`×`height` at 12 fps, frame i solid `color(i)`.
  public static func solid(
    frames n: Int, width: Int = 64, height: Int = 48, sourceLocation: SourceLocation = #_sourceLocation
  ) throws -> (dir: URL, frames: [String], video: String) {
    let images = try (0..<n).map { i in
      try #require(Image(width: width, height: height, color: color(i)), sourceLocation: sourceLocation)
    }
    return try make(images, sourceLocation: sourceLocation)
  }
}
