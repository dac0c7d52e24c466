// MediaIOTests: the Image value type (validation, pixel access) and resizing against exact and OpenCV values.
import Foundation
import PoseScopeTestSupport
import Testing

@testable import MediaIO

@Suite struct ImageTests {
  @Test func initializerValidatesTheCount() {
    #expect(Image(width: 2, height: 2, pixels: [UInt8](repeating: 0, count: 12)) != nil)
    #expect(Image(width: 2, height: 2, pixels: [UInt8](repeating: 0, count: 11)) == nil)
    #expect(Image(width: 2, height: 2, pixels: [UInt8](repeating: 0, count: 13)) == nil)
    #expect(Image(width: 0, height: 5, pixels: []) == nil)
    #expect(Image(width: -1, height: -3, pixels: [0, 0, 0]) == nil)
    #expect(Image(width: Int.max, height: 2, pixels: []) == nil)
    #expect(Image(width: Int.max / 2, height: 1, color: RGB(0, 0, 0)) == nil)
  }

  @Test func pixelAccessIsRowMajorRGB() throws {
    var image = try #require(Image(width: 3, height: 2, pixels: Array(0..<18).map { UInt8($0) }))
    #expect(image[0, 0] == RGB(0, 1, 2))
    #expect(image[2, 0] == RGB(6, 7, 8))
    #expect(image[0, 1] == RGB(9, 10, 11))
    #expect(image.pixel(x: 2, y: 1) == RGB(15, 16, 17))
    #expect(image.pixel(x: 3, y: 0) == nil)
    #expect(image.pixel(x: 0, y: -1) == nil)
    image[1, 1] = RGB(200, 201, 202)
    #expect(Array(image.pixels[12..<15]) == [200, 201, 202])
    image.setPixel(x: 5, y: 5, RGB(1, 1, 1))  // outside: ignored
    image.setPixel(x: 0, y: 0, RGB(7, 7, 7))
    #expect(image[0, 0] == RGB(7, 7, 7))
    #expect(image.pixels.count == 18)
  }

  @Test func downscaleAveragesBoxes() throws {
    // 4x2 -> 2x1: each output pixel is the mean of a 2x2 box.
    let pixels: [UInt8] = [
      0, 10, 100, 4, 20, 100, 8, 0, 0, 10, 0, 255,
      2, 30, 100, 6, 40, 101, 20, 0, 0, 30, 0, 254,
    ]
    let image = try #require(Image(width: 4, height: 2, pixels: pixels))
    let small = image.resized(width: 2, height: 1)
    #expect(small.width == 2 && small.height == 1)
    // (0+4+2+6)/4 = 3, (10+20+30+40)/4 = 25, (100+100+100+101)/4 = 100.25 -> 100;
    // (8+10+20+30)/4 = 17, 0, (255+254)/4 = 127.25 -> 127.
    #expect(small.pixels == [3, 25, 100, 17, 0, 127])
  }

  @Test func downscaleByANonIntegerFactorWeighsPartialCoverage() throws {
    // 3x1 -> 2x1: output 0 covers source [0, 1.5): 2/3 of pixel 0 and 1/3 of pixel 1.
    let image = try #require(Image(width: 3, height: 1, pixels: [0, 0, 0, 90, 90, 90, 255, 255, 255]))
    let small = image.resized(width: 2, height: 1)
    #expect(small.pixels == [30, 30, 30, 200, 200, 200])  // (90/3, (90 + 2 * 255) / 3)
  }

  @Test func upscaleIsBilinearWithHalfPixelCenters() throws {
    let image = try #require(Image(width: 2, height: 1, pixels: [0, 0, 0, 100, 200, 40]))
    let big = image.resized(width: 4, height: 2)
    // Centers map to source x = -0.25 (clamped to 0), 0.25, 0.75, 1.25 (clamped to 1).
    let row: [UInt8] = [0, 0, 0, 25, 50, 10, 75, 150, 30, 100, 200, 40]
    #expect(big.pixels == row + row)
  }

  @Test func sameSizeIsIdentityAndSizesAreClamped() throws {
    let image = try ImageDecoder.load(path: try Support.fixtures.path("rgb8_interlaced.png"))
    #expect(image.resized(width: image.width, height: image.height) == image)
    let tiny = image.resized(width: 0, height: -4)
    #expect(tiny.width == 1 && tiny.height == 1)
  }

  @Test func upscaleMatchesOpenCVLinear() throws {
    let root = try #require(try Support.json("samples_golden.json") as? [String: Any])
    let resize = try #require(root["resize"] as? [String: Any])
    let golden = try #require(resize["rgb8_interlaced.png@20x14"] as? [String: Any])
    let expected = try #require(golden["pixels"] as? [Int])
    let image = try ImageDecoder.load(path: try Support.fixtures.path("rgb8_interlaced.png"))
    let big = image.resized(width: 20, height: 14)
    #expect(big.width == 20 && big.height == 14)
    let worst = zip(big.pixels, expected).map { abs(Int($0) - $1) }.max() ?? 999
    #expect(worst <= 1, "differs from cv2.INTER_LINEAR by up to \(worst)")
  }

  @Test(arguments: [(200, 230), (128, 150)])
  func downscaleMatchesOpenCVArea(width: Int, height: Int) throws {
    let image = try ImageDecoder.load(path: try TestAssets.sample("images/grace_hopper.jpg"))
    let small = image.resized(width: width, height: height)
    let golden = try SampleDecodeTests.golden("resize", "grace_hopper.jpg@\(width)x\(height)")
    SampleDecodeTests.check(small, against: golden, tolerance: 1, label: "resize \(width)x\(height)")
  }
}
