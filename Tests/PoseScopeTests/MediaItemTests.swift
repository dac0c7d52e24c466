// PoseScopeTests: media items — ground-truth sidecars next to them, and whether a folder is one tracked
// sequence or a set of images.
import Foundation
import MediaIO
import PoseScopeTestSupport
import Testing

@testable import PoseScope

/// Writes a `width`×`height` grey PNG at `url`.
private func writePNG(_ url: URL, width: Int, height: Int) throws {
  let image = try #require(
    Image(width: width, height: height, pixels: [UInt8](repeating: 128, count: width * height * 3)))
  try ImageEncoder.writePNG(image, to: url.path)
}

@Test func sidecarFilesNextToItems() throws {
  let dir = try TestFiles.makeTemporaryFolderURL("posescope-item")
  defer { try? FileManager.default.removeItem(at: dir) }
  let image = MediaItem(path: dir.appendingPathComponent("photo.jpg").path, kind: .image)
  #expect(image.groundTruth() == nil)
  try TestFiles.write("{\"bone_lengths_mm\": {\"head\": 180}}", to: image.sidecarPath)
  let loaded = try #require(image.groundTruth())
  #expect(try loaded.get().boneLengths[9] == 0.18)

  let folder = MediaItem(
    path: dir.appendingPathComponent("run").path + "/", kind: .folder(frames: ["a", "b"]))
  #expect(folder.sidecarPath == dir.appendingPathComponent("run.gt.json").path)
  try TestFiles.write("{\"joints_mm\": 5}", to: folder.sidecarPath)
  guard case .failure(let error)? = folder.groundTruth() else {
    Issue.record("a bad sidecar must be reported")
    return
  }
  #expect(error.path == folder.sidecarPath && error.reason.contains("must be an array"))
}

@Test func numberedPatternTakesOutTheLastRunOfDigits() {
  #expect(MediaItem.numberedPattern("frame_0001.jpg") == "frame_#.jpg")
  #expect(MediaItem.numberedPattern("cam2_frame_17.png") == "cam2_frame_#.png")
  #expect(MediaItem.numberedPattern("00042.jpg") == "#.jpg")
  #expect(MediaItem.numberedPattern("bus.jpg") == nil)
}

@Test func foldersAreSequencesOnlyWhenNumberedFramesOfOneSize() throws {
  let dir = try TestFiles.makeTemporaryFolderURL("posescope-item")
  defer { try? FileManager.default.removeItem(at: dir) }
  let frames = dir.appendingPathComponent("frames")
  try FileManager.default.createDirectory(at: frames, withIntermediateDirectories: true)
  for i in 1...3 { try writePNG(frames.appendingPathComponent("f_\(i).png"), width: 8, height: 6) }
  let seq = MediaItem.open(frames.path)
  #expect(seq.isFolder && seq.tracked && seq.isTrackedSequence && seq.frameCount == 3)
  #expect(seq.trackingReason == "numbered frames of one size")
  #expect(!MediaItem.open(frames.path, as: .images).isTrackedSequence)

  // The same numbered names, one frame of another size: images.
  try writePNG(frames.appendingPathComponent("f_4.png"), width: 6, height: 8)
  let mixed = MediaItem.open(frames.path)
  #expect(!mixed.tracked && mixed.trackingReason == "numbered, but of different sizes")
  #expect(MediaItem.open(frames.path, as: .sequence).tracked)

  // Unrelated names: images.
  let photos = dir.appendingPathComponent("photos")
  try FileManager.default.createDirectory(at: photos, withIntermediateDirectories: true)
  for name in ["bus.png", "zidane.png"] {
    try writePNG(photos.appendingPathComponent(name), width: 8, height: 6)
  }
  let set = MediaItem.open(photos.path)
  #expect(!set.tracked && set.trackingReason == "not numbered frames")

  // One image: not a sequence.
  let single = dir.appendingPathComponent("single")
  try FileManager.default.createDirectory(at: single, withIntermediateDirectories: true)
  try writePNG(single.appendingPathComponent("f_1.png"), width: 8, height: 6)
  #expect(!MediaItem.open(single.path).tracked)

  // A folder without images is an item with its problem, not a crash.
  let empty = dir.appendingPathComponent("empty")
  try FileManager.default.createDirectory(at: empty, withIntermediateDirectories: true)
  let none = MediaItem.open(empty.path)
  #expect(none.problem != nil && none.frameCount == 0)
}

@Test func imageSizeFromTheHeaderMatchesTheDecodedImage() throws {
  for name in ["bus.jpg", "astronaut.png"] {
    let path = try TestAssets.sample("images/" + name)
    let size = try ImageDecoder.size(path: path)
    let image = try ImageDecoder.load(path: path)
    #expect(size == ImageDecoder.Size(width: image.width, height: image.height), "\(name)")
  }
}

@Test func imageSizeOfAJPEGWhoseFrameHeaderLiesBeyondTheFirstBytesRead() throws {
  // bus.jpg with three 60 KiB APP15 segments after its SOI marker: its frame header is beyond the prefix
  // `size` reads first, so it must fall back to the whole file and still agree with the decoder.
  let original = try TestAssets.sampleBytes("images/bus.jpg")
  let segment: [UInt8] = [0xFF, 0xEF, 0xF0, 0x02] + [UInt8](repeating: 0x55, count: 0xF000)
  let padded = Array(original[0..<2]) + segment + segment + segment + Array(original[2...])
  let dir = try TestFiles.makeTemporaryFolder("posescope-size")
  defer { TestFiles.remove(dir) }
  let path = dir + "/padded.jpg"
  try TestFiles.write(padded, to: path)
  #expect(padded.count > 3 * 0xF000)
  let image = try ImageDecoder.load(path: path)
  #expect(try ImageDecoder.size(path: path) == ImageDecoder.Size(width: image.width, height: image.height))
}
