// MediaIOTests: decoding the fetched real sample images against Pillow goldens (samples_golden.json).
import Foundation
import PoseScopeTestSupport
import Testing

@testable import MediaIO

@Suite struct SampleDecodeTests {
  /// The golden entry for one image: size, 8x8 grid of (x, y, r, g, b) and per-channel means.
  struct Golden {
    var width: Int
    var height: Int
    var points: [[Int]]
    var mean: [Double]

    init(_ any: Any?) throws {
      let dict = try #require(any as? [String: Any])
      width = try #require(dict["width"] as? Int)
      height = try #require(dict["height"] as? Int)
      points = try #require(dict["points"] as? [[Int]])
      mean = try #require(dict["mean"] as? [Double])
    }
  }

  static func golden(_ section: String, _ key: String) throws -> Golden {
    let root = try #require(try Support.json("samples_golden.json") as? [String: Any])
    let group = try #require(root[section] as? [String: Any])
    return try Golden(group[key])
  }

  /// Checks size, grid pixels (within `tolerance`) and channel means (within 0.05) against a golden.
  static func check(_ image: Image, against golden: Golden, tolerance: Int, label: String) {
    #expect(image.width == golden.width && image.height == golden.height, "\(label) size")
    guard image.width == golden.width, image.height == golden.height else { return }
    var exact = 0
    var worst = 0
    for point in golden.points {
      let pixel = image[point[0], point[1]]
      let diffs = [Int(pixel.r) - point[2], Int(pixel.g) - point[3], Int(pixel.b) - point[4]].map(abs)
      worst = max(worst, diffs.max() ?? 0)
      if diffs.allSatisfy({ $0 == 0 }) { exact += 1 }
    }
    #expect(worst <= tolerance, "\(label): grid differs from the golden by up to \(worst)")
    var sums = [0.0, 0.0, 0.0]
    for (i, byte) in image.pixels.enumerated() { sums[i % 3] += Double(byte) }
    let count = Double(image.width * image.height)
    for c in 0..<3 {
      let mean = sums[c] / count
      #expect(abs(mean - golden.mean[c]) <= 0.05, "\(label) channel \(c) mean \(mean) vs \(golden.mean[c])")
    }
    print("\(label): \(exact)/\(golden.points.count) grid pixels exact, max diff \(worst)")
  }

  @Test(arguments: [
    ("bus.jpg", 810, 1080), ("zidane.jpg", 1280, 720), ("grace_hopper.jpg", 512, 600),
    ("astronaut.png", 512, 512),
  ])
  func decodesSample(name: String, width: Int, height: Int) throws {
    let image = try ImageDecoder.load(path: try TestAssets.sample("images/" + name))
    #expect(image.width == width)
    #expect(image.height == height)
    #expect(image.pixels.count == width * height * 3)
    // libjpeg-turbo with default settings (islow IDCT, fancy upsampling) matches Pillow's decode exactly;
    // allow +-1 for other libjpeg-turbo builds. PNG must be exact.
    let tolerance = name.hasSuffix(".png") ? 0 : 1
    Self.check(image, against: try Self.golden("images", name), tolerance: tolerance, label: name)
  }

  @Test func jpegBytesInAPngNamedFileStillLoad() throws {
    let dir = try TestFiles.makeTemporaryFolder("mediaio-tests")
    defer { TestFiles.remove(dir) }
    let path = dir + "/bus.png"
    try TestFiles.write(try TestAssets.sampleBytes("images/bus.jpg"), to: path)
    let image = try ImageDecoder.load(path: path)
    #expect(image == (try ImageDecoder.load(path: try TestAssets.sample("images/bus.jpg"))))
    #expect(try ImageDecoder.format(of: try TestAssets.sampleBytes("images/bus.jpg"), path: path) == .jpeg)
  }

  @Test func pngBytesInAJpgNamedFileStillLoad() throws {
    let dir = try TestFiles.makeTemporaryFolder("mediaio-tests")
    defer { TestFiles.remove(dir) }
    let path = dir + "/astronaut.jpg"
    try TestFiles.write(try TestAssets.sampleBytes("images/astronaut.png"), to: path)
    let image = try ImageDecoder.load(path: path)
    #expect(image.width == 512 && image.height == 512)
    #expect(image == (try ImageDecoder.load(path: try TestAssets.sample("images/astronaut.png"))))
  }
}
