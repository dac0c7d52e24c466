// MediaIOTests: the image rows of docs/BAD_INPUTS.md that had no test: misnamed files, 1×1 and 20000×20000
// images, unreadable files, symlink loops and folders of mixed good and bad files, with their messages.
import Foundation
import PoseScopeTestSupport
import Testing

@testable import MediaIO

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

@Suite struct BadInputTableTests {
  static func loadError(_ path: String) -> MediaIOError? {
    Support.error { () throws(MediaIOError) in try ImageDecoder.load(path: path) }
  }

  static func listError(_ path: String) -> MediaIOError? {
    Support.error { () throws(MediaIOError) in try FrameFolder.list(path) }
  }

  /// A small RGB image with distinct pixels, encoded as PNG.
  static func smallPNG() throws -> (Image, [UInt8]) {
    let pixels = (0..<(3 * 2 * 3)).map { UInt8($0 * 13) }
    let image = try #require(Image(width: 3, height: 2, pixels: pixels))
    return (image, try ImageEncoder.encodePNG(image))
  }

  // MARK: Wrong extensions

  @Test func jpegNamedPngAndPngNamedJpgDecodeByContent() throws {
    let dir = try TestFiles.makeTemporaryFolder("mediaio-tests")
    defer { TestFiles.remove(dir) }
    let jpeg = try Support.fixtures.bytes("gray.jpg")
    try TestFiles.write(jpeg, to: dir + "/photo.png")
    let fromJPEG = try ImageDecoder.load(path: dir + "/photo.png")
    #expect(fromJPEG == (try ImageDecoder.decode(jpeg, path: "gray.jpg")))
    let (image, png) = try Self.smallPNG()
    try TestFiles.write(png, to: dir + "/frame.jpg")
    #expect(try ImageDecoder.load(path: dir + "/frame.jpg") == image)
  }

  // MARK: Sizes

  @Test func onePixelImageDecodes() throws {
    let dir = try TestFiles.makeTemporaryFolder("mediaio-tests")
    defer { TestFiles.remove(dir) }
    let pixel = try #require(Image(width: 1, height: 1, pixels: [200, 100, 50]))
    try ImageEncoder.writePNG(pixel, to: dir + "/dot.png")
    let decoded = try ImageDecoder.load(path: dir + "/dot.png")
    #expect(decoded.width == 1 && decoded.height == 1)
    #expect(decoded[0, 0] == RGB(200, 100, 50))
  }

  @Test func twentyThousandSquaredIsRejectedBeforeAllocating() throws {
    // 20000 is under the 32768 side limit but 400 million pixels are over the 256-megapixel limit.
    let png = Support.pngHeaderOnly(width: 20_000, height: 20_000)
    let error = try #require(
      Support.error { () throws(MediaIOError) in try ImageDecoder.decode(png, path: "big.png") })
    #expect(error.kind == .tooLarge(width: 20_000, height: 20_000))
    #expect(
      error.description
        == "big.png: image is 20000x20000, over the limit of 32768 pixels per side and 268435456 pixels in total"
    )

    // The same size in a real JPEG's frame header (SOF height and width, big-endian).
    var jpeg = try Support.fixtures.bytes("gray.jpg")
    let sof = try #require(
      BadInputTests.jpegSegments(jpeg).first { (0xC0...0xC2).contains($0.marker) }, "no SOF segment")
    jpeg[sof.offset + 5] = UInt8(20_000 >> 8)
    jpeg[sof.offset + 6] = UInt8(20_000 & 0xFF)
    jpeg[sof.offset + 7] = UInt8(20_000 >> 8)
    jpeg[sof.offset + 8] = UInt8(20_000 & 0xFF)
    let jpegError = Support.error { () throws(MediaIOError) in try ImageDecoder.decode(jpeg, path: "big.jpg")
    }
    #expect(jpegError?.kind == .tooLarge(width: 20_000, height: 20_000))
  }

  @Test func tinyPngClaimingAHugeImageIsTruncatedBeforeAllocating() throws {
    // 266 megapixels, just under the pixel limit, in a 70-byte file: deflate cannot expand 70 bytes to the
    // 798 MB of rows the header claims, so the file is truncated (said without allocating the buffer).
    let png = Support.pngHeaderOnly(width: 19_000, height: 14_000)
    let error = try #require(
      Support.error { () throws(MediaIOError) in try ImageDecoder.decode(png, path: "bomb.png") })
    #expect(error.kind == .truncated)
    #expect(
      error.description == "bomb.png: image data is truncated (the file ends early); re-copy or re-export it")
  }

  // MARK: Unreadable files and symlinks

  @Test func fileWithoutReadPermission() throws {
    let dir = try TestFiles.makeTemporaryFolder("mediaio-tests")
    defer { TestFiles.remove(dir) }
    let path = dir + "/locked.png"
    let (image, png) = try Self.smallPNG()
    try TestFiles.write(png, to: path)
    try #require(chmod(path, 0) == 0)
    defer { _ = chmod(path, 0o644) }
    if geteuid() == 0 {
      // Root (e.g. CI in a container) reads files regardless of their mode: only that is testable here.
      #expect(try ImageDecoder.load(path: path) == image)
    } else {
      let error = try #require(Self.loadError(path))
      #expect(error.kind == .unreadable("Permission denied"))
      #expect(error.description == "\(path): cannot read: Permission denied")
    }
  }

  @Test func symlinkLoopIsUnreadable() throws {
    let dir = try TestFiles.makeTemporaryFolder("mediaio-tests")
    defer { TestFiles.remove(dir) }
    try #require(symlink(dir + "/b.png", dir + "/a.png") == 0)
    try #require(symlink(dir + "/a.png", dir + "/b.png") == 0)
    let error = try #require(Self.loadError(dir + "/a.png"))
    #expect(error.kind == .unreadable("Too many levels of symbolic links"))
    #expect(error.description == "\(dir)/a.png: cannot read: Too many levels of symbolic links")
    // A folder path that is a symlink loop.
    try #require(symlink(dir + "/frames", dir + "/frames") == 0)
    #expect(Self.listError(dir + "/frames")?.kind == .unreadable("Too many levels of symbolic links"))
    // A dangling link is "not found".
    try #require(symlink(dir + "/nowhere.png", dir + "/dangling.png") == 0)
    #expect(Self.loadError(dir + "/dangling.png")?.kind == .fileNotFound)
  }

  // MARK: Folders

  @Test func folderOfMixedGoodAndBadFiles() throws {
    let dir = try TestFiles.makeTemporaryFolder("mediaio-tests")
    defer { TestFiles.remove(dir) }
    let (image, png) = try Self.smallPNG()
    try TestFiles.write(png, to: dir + "/f1.png")
    try TestFiles.write(Array("not an image".utf8), to: dir + "/f2.jpg")
    try TestFiles.write([], to: dir + "/f3.png")
    try TestFiles.write(Array(png.prefix(40)), to: dir + "/f10.png")
    try TestFiles.write(Array("notes".utf8), to: dir + "/notes.txt")
    try TestFiles.write(png, to: dir + "/.hidden.png")
    try FileManager.default.createDirectory(atPath: dir + "/sub.png", withIntermediateDirectories: false)
    try #require(symlink(dir + "/loop.jpg", dir + "/loop.jpg") == 0)
    try #require(symlink(dir, dir + "/self") == 0)

    // Listing keeps every regular file with an image extension (good or bad) and skips the rest.
    let files = try FrameFolder.list(dir)
    #expect(
      files.map { URL(fileURLWithPath: $0).lastPathComponent } == ["f1.png", "f2.jpg", "f3.png", "f10.png"])
    // Each file then succeeds or fails on its own.
    #expect(try ImageDecoder.load(path: dir + "/f1.png") == image)
    #expect(
      Self.loadError(dir + "/f2.jpg")?.description
        == "\(dir)/f2.jpg: not a PNG or JPEG image (starts with \"not an image\")")
    #expect(
      Self.loadError(dir + "/f3.png")?.description
        == "\(dir)/f3.png: file is empty (0 bytes), not a PNG or JPEG image")
    #expect(
      Self.loadError(dir + "/f10.png")?.description
        == "\(dir)/f10.png: image data is truncated (the file ends early); re-copy or re-export it")
  }

  @Test func folderWithOnlyBadEntriesHasNoImages() throws {
    let dir = try TestFiles.makeTemporaryFolder("mediaio-tests")
    defer { TestFiles.remove(dir) }
    try #require(symlink(dir + "/loop.png", dir + "/loop.png") == 0)
    try FileManager.default.createDirectory(atPath: dir + "/sub.jpg", withIntermediateDirectories: false)
    let error = try #require(Self.listError(dir))
    #expect(error.kind == .noImageFiles(otherEntries: 2))
    #expect(error.description == "\(dir): folder has no .png/.jpg/.jpeg image files (it has 2 other entries)")
  }
}
