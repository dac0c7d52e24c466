// MediaIOTests: natural ordering and frame-folder listing (filtering, order, errors).
import Foundation
import PoseScopeTestSupport
import Testing

@testable import MediaIO

@Suite struct FrameFolderTests {
  @Test(arguments: [
    ("f2", "f10"), ("frame_0009", "frame_0010"), ("frame_9.png", "frame_10.png"), ("a", "b"), ("a", "ab"),
    ("img1", "img1a"), ("x1y2", "x1y10"), ("x2y1", "x10y0"), ("", "a"), ("f07.png", "f7.png"),
    ("F7", "f7"), ("a1", "B1"), ("frame_0001.jpg", "frame_0001.png"), ("1z", "z"),
    ("99999999999999999999999", "100000000000000000000000"), ("f 2", "f_2"), ("é1", "é2"),
  ])
  func naturalLessOrders(a: String, b: String) {
    // Note ("1z", "z"): digits sort before letters; ("f7", "f07"): equal numbers, fewer zeros byte-first.
    let ordered = a == "z" ? (b, a) : (a, b)
    #expect(FrameFolder.naturalLess(ordered.0, ordered.1), "\(ordered.0) < \(ordered.1)")
    #expect(!FrameFolder.naturalLess(ordered.1, ordered.0), "!(\(ordered.1) < \(ordered.0))")
  }

  @Test func naturalLessIsIrreflexiveAndSortsDeterministically() {
    let names = [
      "frame_10.png", "frame_2.png", "frame_02.png", "Frame_2.png", "frame_1.png", "frame_0001.png", "a.jpg",
      "frame_2.jpg", "frame_100.png", "frame_20.png",
    ]
    for name in names { #expect(!FrameFolder.naturalLess(name, name)) }
    let expected = [
      "a.jpg", "frame_0001.png", "frame_1.png", "frame_2.jpg", "Frame_2.png", "frame_02.png", "frame_2.png",
      "frame_10.png", "frame_20.png", "frame_100.png",
    ]
    #expect(names.sorted(by: FrameFolder.naturalLess) == expected)
    #expect(names.reversed().sorted(by: FrameFolder.naturalLess) == expected)
    #expect(names.shuffled().sorted(by: FrameFolder.naturalLess) == expected)
  }

  @Test func listsImagesInNaturalOrder() throws {
    let dir = try TestFiles.makeTemporaryFolder("mediaio-tests")
    defer { TestFiles.remove(dir) }
    let files = ["f10.png", "f2.JPG", "f1.jpeg", "f03.Png", "notes.txt", ".hidden.png", "f20.gif", "png"]
    for name in files { try TestFiles.write([1], to: dir + "/" + name) }
    try FileManager.default.createDirectory(atPath: dir + "/f5.png", withIntermediateDirectories: false)
    try FileManager.default.createSymbolicLink(atPath: dir + "/f4.jpg", withDestinationPath: dir + "/f1.jpeg")
    try FileManager.default.createSymbolicLink(atPath: dir + "/f6.jpg", withDestinationPath: dir + "/missing")
    let listed = try FrameFolder.list(dir)
    #expect(listed == ["f1.jpeg", "f2.JPG", "f03.Png", "f4.jpg", "f10.png"].map { dir + "/" + $0 })
    // A trailing slash does not double the separator.
    #expect(try FrameFolder.list(dir + "/") == listed)
  }

  @Test func listsTheSportsFrames() throws {
    let folder = TestAssets.samplesDirectory + "/sports2d"
    _ = try TestAssets.sample("sports2d/frame_0001.jpg")
    let frames = try FrameFolder.list(folder)
    #expect(frames.count == 230)
    #expect(frames.first == folder + "/frame_0001.jpg")
    #expect(frames[9] == folder + "/frame_0010.jpg")
    #expect(frames.last == folder + "/frame_0230.jpg")
  }

  @Test func missingFolderIsFileNotFound() throws {
    let dir = try TestFiles.makeTemporaryFolder("mediaio-tests")
    defer { TestFiles.remove(dir) }
    let error = Support.error { () throws(MediaIOError) in try FrameFolder.list(dir + "/nope") }
    #expect(error?.kind == .fileNotFound)
  }

  @Test func fileIsNotAFolder() throws {
    let path = try TestAssets.sample("images/bus.jpg")
    let error = Support.error { () throws(MediaIOError) in try FrameFolder.list(path) }
    #expect(error?.kind == .notADirectory)
    #expect(error?.path == path)
  }

  @Test func emptyFolderHasNoImages() throws {
    let dir = try TestFiles.makeTemporaryFolder("mediaio-tests")
    defer { TestFiles.remove(dir) }
    let error = try #require(Support.error { () throws(MediaIOError) in try FrameFolder.list(dir) })
    #expect(error.kind == .noImageFiles(otherEntries: 0))
    #expect(error.description == "\(dir): folder has no .png/.jpg/.jpeg image files (it is empty)")
  }

  @Test func folderWithOnlyNonImagesHasNoImages() throws {
    let dir = try TestFiles.makeTemporaryFolder("mediaio-tests")
    defer { TestFiles.remove(dir) }
    for name in ["readme.txt", "clip.mp4", ".frame.png"] { try TestFiles.write([1], to: dir + "/" + name) }
    try FileManager.default.createDirectory(atPath: dir + "/sub.png", withIntermediateDirectories: false)
    let error = try #require(Support.error { () throws(MediaIOError) in try FrameFolder.list(dir) })
    #expect(error.kind == .noImageFiles(otherEntries: 4))
    #expect(error.description.contains("has no .png/.jpg/.jpeg image files (it has 4 other entries)"))
  }
}
