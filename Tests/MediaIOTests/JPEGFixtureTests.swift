// MediaIOTests: EXIF orientation (both byte orders, all 8 values), grey, CMYK and progressive JPEGs.
import Foundation
import PoseScopeTestSupport
import Testing

@testable import MediaIO

@Suite struct JPEGFixtureTests {
  /// The block colors of the 48x32 fixture: a 3x2 grid of 16x16 blocks (see make_fixtures.py).
  static let blocks: [RGB] = [
    RGB(220, 30, 30), RGB(30, 200, 40), RGB(40, 50, 220), RGB(240, 230, 40), RGB(250, 250, 250),
    RGB(10, 10, 10),
  ]

  static func close(_ a: RGB, _ b: RGB, within tolerance: Int = 6) -> Bool {
    abs(Int(a.r) - Int(b.r)) <= tolerance && abs(Int(a.g) - Int(b.g)) <= tolerance
      && abs(Int(a.b) - Int(b.b)) <= tolerance
  }

  @Test(arguments: [
    "orient6_be.jpg", "orient3_le.jpg", "gray.jpg", "cmyk.jpg", "progressive420.jpg", "restart.jpg",
  ])
  func matchesPillowReference(name: String) throws {
    let image = try ImageDecoder.load(path: try Support.fixtures.path(name))
    let referenceName = name.replacingOccurrences(of: ".jpg", with: ".expected.png")
    let reference = try ImageDecoder.load(path: try Support.fixtures.path(referenceName))
    let diff = try #require(
      Support.maxDifference(image, reference),
      "\(name): size \(image.width)x\(image.height) vs reference \(reference.width)x\(reference.height)")
    #expect(diff <= 1, "\(name) differs from Pillow's decode by up to \(diff)")
  }

  @Test func orientation6RotatesClockwise() throws {
    let image = try ImageDecoder.load(path: try Support.fixtures.path("orient6_be.jpg"))
    // Stored 48x32 landscape; displayed 32x48 portrait.
    #expect(image.width == 32 && image.height == 48)
    // Rotating the 3x2 block grid 90 degrees clockwise: the bottom-left block (index 3, yellow) goes to the
    // top-left, the top-left block (index 0, red) to the top-right, the top-right (2, blue) to the
    // bottom-right, the bottom-right (5, black) to the bottom-left.
    #expect(Self.close(image[8, 8], Self.blocks[3]), "top-left \(image[8, 8])")
    #expect(Self.close(image[24, 8], Self.blocks[0]), "top-right \(image[24, 8])")
    #expect(Self.close(image[8, 24], Self.blocks[4]), "middle-left \(image[8, 24])")
    #expect(Self.close(image[24, 24], Self.blocks[1]), "middle-right \(image[24, 24])")
    #expect(Self.close(image[8, 40], Self.blocks[5]), "bottom-left \(image[8, 40])")
    #expect(Self.close(image[24, 40], Self.blocks[2]), "bottom-right \(image[24, 40])")
  }

  @Test func orientation3Rotates180() throws {
    let image = try ImageDecoder.load(path: try Support.fixtures.path("orient3_le.jpg"))
    #expect(image.width == 48 && image.height == 32)
    // 180 degrees: block (bx, by) moves to (2 - bx, 1 - by).
    #expect(Self.close(image[8, 8], Self.blocks[5]), "top-left \(image[8, 8])")
    #expect(Self.close(image[40, 8], Self.blocks[3]), "top-right \(image[40, 8])")
    #expect(Self.close(image[8, 24], Self.blocks[2]), "bottom-left \(image[8, 24])")
    #expect(Self.close(image[40, 24], Self.blocks[0]), "bottom-right \(image[40, 24])")
  }

  /// Bytes of orient3_le.jpg with the orientation value replaced (little-endian SHORT after tag 0x0112).
  static func withOrientation(_ value: UInt16, big: Bool = false) throws -> [UInt8] {
    var bytes = try Support.fixtures.bytes("orient3_le.jpg")
    let tag: [UInt8] = [0x12, 0x01, 0x03, 0x00, 0x01, 0x00, 0x00, 0x00]  // tag, SHORT, count 1 (II order)
    let at = try #require(
      (0..<(bytes.count - tag.count)).first { Array(bytes[$0..<($0 + tag.count)]) == tag },
      "no orientation tag")
    bytes[at + 8] = UInt8(value & 0xFF)
    bytes[at + 9] = UInt8(value >> 8)
    return bytes
  }

  /// The display transform of EXIF orientation `o`, written independently as a source-pixel lookup.
  static func reference(_ source: Image, orientation o: Int) -> Image {
    let (w, h) = (source.width, source.height)
    let swap = o >= 5
    var out = Image(width: swap ? h : w, height: swap ? w : h, color: RGB(0, 0, 0))!
    for y in 0..<out.height {
      for x in 0..<out.width {
        let (sx, sy): (Int, Int)
        switch o {
        case 2: (sx, sy) = (w - 1 - x, y)  // mirror horizontal
        case 3: (sx, sy) = (w - 1 - x, h - 1 - y)  // rotate 180
        case 4: (sx, sy) = (x, h - 1 - y)  // mirror vertical
        case 5: (sx, sy) = (y, x)  // transpose
        case 6: (sx, sy) = (y, h - 1 - x)  // rotate 90 clockwise
        case 7: (sx, sy) = (w - 1 - y, h - 1 - x)  // transverse
        case 8: (sx, sy) = (w - 1 - y, x)  // rotate 90 counter-clockwise
        default: (sx, sy) = (x, y)
        }
        out[x, y] = source[sx, sy]
      }
    }
    return out
  }

  @Test(arguments: 1...8)
  func everyOrientation(orientation: Int) throws {
    let upright = try ImageDecoder.decode(try Self.withOrientation(1), path: "o1.jpg")
    #expect(upright.width == 48 && upright.height == 32)
    let image = try ImageDecoder.decode(try Self.withOrientation(UInt16(orientation)), path: "o.jpg")
    let expected = Self.reference(upright, orientation: orientation)
    let same = image == expected  // compared outside #expect so a failure does not print every pixel
    #expect(
      same,
      "orientation \(orientation): got \(image.width)x\(image.height), expected \(expected.width)x\(expected.height)"
    )
  }

  @Test(arguments: [0, 9, 0xFFFF])
  func outOfRangeOrientationIsIgnored(value: Int) throws {
    let upright = try ImageDecoder.decode(try Self.withOrientation(1), path: "o1.jpg")
    let image = try ImageDecoder.decode(try Self.withOrientation(UInt16(value)), path: "bad.jpg")
    let same = image == upright
    #expect(same)
  }

  @Test func malformedExifIsIgnoredNotFatal() throws {
    let upright = try ImageDecoder.decode(try Self.withOrientation(1), path: "o1.jpg")
    var bytes = try Self.withOrientation(6)
    // The TIFF header follows "Exif\0\0"; point its IFD0 offset far outside the segment.
    let exif: [UInt8] = Array("Exif".utf8) + [0, 0, 0x49, 0x49, 0x2A, 0x00]
    let at = try #require(
      (0..<(bytes.count - exif.count)).first { Array(bytes[$0..<($0 + exif.count)]) == exif })
    bytes[at + 10] = 0xF0
    bytes[at + 11] = 0xFF
    bytes[at + 12] = 0xFF
    bytes[at + 13] = 0x7F
    #expect(try ImageDecoder.decode(bytes, path: "badexif.jpg") == upright)
    // An IFD entry count that runs past the end of the data, with no orientation entry before the end:
    // the walk stops at the bounds and the orientation defaults to 1.
    var bytes2 = try Self.withOrientation(6)
    bytes2[at + 14] = 0xFF  // IFD0 is at TIFF offset 8: its 2-byte entry count
    bytes2[at + 15] = 0xFF
    let tagAt = at + 6 + 8 + 2 + 12  // second entry: the orientation tag, 0x0112 little-endian
    #expect(bytes2[tagAt] == 0x12 && bytes2[tagAt + 1] == 0x01)
    bytes2[tagAt] = 0x13
    #expect(try ImageDecoder.decode(bytes2, path: "badexif2.jpg") == upright)
  }

  @Test func exifParserReadsBothByteOrders() throws {
    #expect(EXIF.orientation(inJPEG: try Support.fixtures.bytes("orient6_be.jpg")) == 6)
    #expect(EXIF.orientation(inJPEG: try Support.fixtures.bytes("orient3_le.jpg")) == 3)
    #expect(EXIF.orientation(inJPEG: try TestAssets.sampleBytes("images/bus.jpg")) == 1)
    // Truncated inside the APP1 segment: no crash, orientation 1.
    let cut = Array(try Support.fixtures.bytes("orient6_be.jpg").prefix(30))
    #expect(EXIF.orientation(inJPEG: cut) == 1)
  }

  @Test func grayscaleComesOutAsEqualRGB() throws {
    let image = try ImageDecoder.load(path: try Support.fixtures.path("gray.jpg"))
    #expect(image.width == 40 && image.height == 24)
    for y in 0..<image.height {
      for x in 0..<image.width {
        let p = image[x, y]
        #expect(p.r == p.g && p.g == p.b)
      }
    }
  }

  @Test func cmykComesOutAsRGB() throws {
    let image = try ImageDecoder.load(path: try Support.fixtures.path("cmyk.jpg"))
    #expect(image.width == 48 && image.height == 32)
    for (i, block) in Self.blocks.enumerated() {
      let pixel = image[(i % 3) * 16 + 8, (i / 3) * 16 + 8]
      #expect(Self.close(pixel, block), "block \(i): \(pixel) vs \(block)")
    }
  }
}
