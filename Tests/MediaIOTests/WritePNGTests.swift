// MediaIOTests: PNG encoding round trips and the atomic-write guarantees of ImageEncoder.writePNG.
import Foundation
import PoseScopeTestSupport
import Testing

@testable import MediaIO

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

@Suite struct WritePNGTests {
  static func contents(_ dir: String) throws -> [String] {
    try FileManager.default.contentsOfDirectory(atPath: dir).sorted()
  }

  @Test func roundTripsARealImageExactly() throws {
    let dir = try TestFiles.makeTemporaryFolder("mediaio-tests")
    defer { TestFiles.remove(dir) }
    let image = try ImageDecoder.load(path: try TestAssets.sample("images/zidane.jpg"))
    let path = dir + "/zidane.png"
    try ImageEncoder.writePNG(image, to: path)
    #expect(try Self.contents(dir) == ["zidane.png"], "no temporary file may be left behind")
    let bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: path)))
    #expect(try ImageDecoder.format(of: bytes, path: path) == .png)
    #expect(try ImageDecoder.load(path: path) == image)
  }

  @Test func roundTripsSmallAndOddSizes() throws {
    for (w, h) in [(1, 1), (3, 7), (17, 2)] {
      var pixels: [UInt8] = []
      for i in 0..<(w * h * 3) { pixels.append(UInt8((i * 53 + 7) % 256)) }
      let image = try #require(Image(width: w, height: h, pixels: pixels))
      let decoded = try ImageDecoder.decode(try ImageEncoder.encodePNG(image), path: "mem.png")
      #expect(decoded == image, "\(w)x\(h)")
    }
  }

  @Test func replacesAnExistingFile() throws {
    let dir = try TestFiles.makeTemporaryFolder("mediaio-tests")
    defer { TestFiles.remove(dir) }
    let path = dir + "/out.png"
    try TestFiles.write(Array("old contents".utf8), to: path)
    let image = try #require(Image(width: 2, height: 1, pixels: [1, 2, 3, 4, 5, 6]))
    try ImageEncoder.writePNG(image, to: path)
    #expect(try ImageDecoder.load(path: path) == image)
    #expect(try Self.contents(dir) == ["out.png"])
  }

  @Test func tooLargeImageFailsWithoutTouchingTheTarget() throws {
    let dir = try TestFiles.makeTemporaryFolder("mediaio-tests")
    defer { TestFiles.remove(dir) }
    let path = dir + "/out.png"
    try TestFiles.write(Array("keep me".utf8), to: path)
    let wide = try #require(Image(width: ImageLimits.maxSide + 1, height: 1, color: RGB(1, 2, 3)))
    let error = Support.error { () throws(MediaIOError) in try ImageEncoder.writePNG(wide, to: path) }
    #expect(error?.kind == .tooLarge(width: ImageLimits.maxSide + 1, height: 1))
    #expect(try String(contentsOfFile: path, encoding: .utf8) == "keep me")
    #expect(try Self.contents(dir) == ["out.png"])
  }

  @Test func failureDuringTheWriteKeepsTheOldFileAndRemovesTheTemp() throws {
    let dir = try TestFiles.makeTemporaryFolder("mediaio-tests")
    defer { TestFiles.remove(dir) }
    let path = dir + "/out.png"
    try TestFiles.write(Array("keep me".utf8), to: path)
    // Write half the data to the temporary file, then fail (as a full disk would).
    let error = Support.error { () throws(MediaIOError) in
      try FileIO.writeAtomically(to: path) { fd throws(MediaIOError) in
        let partial: [UInt8] = [0x89, 0x50, 0x4E, 0x47]
        _ = partial.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
        throw MediaIOError(path: path, kind: .writeFailed("simulated: no space left on device"))
      }
    }
    #expect(error?.kind == .writeFailed("simulated: no space left on device"))
    #expect(try String(contentsOfFile: path, encoding: .utf8) == "keep me")
    #expect(try Self.contents(dir) == ["out.png"])
  }

  @Test func directoryAtTheTargetIsNotReplaced() throws {
    let dir = try TestFiles.makeTemporaryFolder("mediaio-tests")
    defer { TestFiles.remove(dir) }
    let target = dir + "/out.png"
    try FileManager.default.createDirectory(atPath: target, withIntermediateDirectories: false)
    try TestFiles.write([1, 2, 3], to: target + "/inside")
    let image = try #require(Image(width: 1, height: 1, pixels: [9, 9, 9]))
    let error = Support.error { () throws(MediaIOError) in try ImageEncoder.writePNG(image, to: target) }
    guard case .writeFailed(let detail)? = error?.kind else {
      Issue.record("expected writeFailed, got \(String(describing: error))")
      return
    }
    #expect(detail.hasPrefix("rename:"))
    #expect(try Self.contents(dir) == ["out.png"])
    #expect(try Self.contents(target) == ["inside"])
  }

  @Test func missingTargetFolderFails() throws {
    let dir = try TestFiles.makeTemporaryFolder("mediaio-tests")
    defer { TestFiles.remove(dir) }
    let image = try #require(Image(width: 1, height: 1, pixels: [9, 9, 9]))
    let error = Support.error { () throws(MediaIOError) in
      try ImageEncoder.writePNG(image, to: dir + "/no/such/out.png")
    }
    guard case .writeFailed(let detail)? = error?.kind else {
      Issue.record("expected writeFailed, got \(String(describing: error))")
      return
    }
    #expect(detail.contains("cannot create a temporary file in \(dir)/no/such"))
    #expect(try Self.contents(dir).isEmpty)
  }
}
