// MediaIOTests: PNG bit depths, color types, palettes, transparency and interlacing against exact values.
import Foundation
import Testing

@testable import MediaIO

@Suite struct PNGVariantTests {
  static let names = [
    "rgb16.png", "gray8.png", "gray1.png", "graya8.png", "palette8.png", "palette4_trns.png", "rgba8.png",
    "rgba16.png", "rgb8_interlaced.png", "rgb8_gamma1.png",
  ]

  @Test(arguments: names)
  func decodesExactly(name: String) throws {
    let expected = try #require(try Support.json("png_expected.json") as? [String: [[Int]]])
    let rows = try #require(expected[name], "no expected values for \(name)")
    let image = try ImageDecoder.load(path: try Support.fixtures.path(name))
    #expect(image.height == rows.count)
    #expect(image.width * 3 == rows.first?.count)
    let flat = rows.flatMap { $0 }.map { UInt8($0) }
    #expect(image.pixels == flat, "\(name) decoded values differ from png_expected.json")
    if image.pixels != flat {
      for (i, (got, want)) in zip(image.pixels, flat).enumerated() where got != want {
        print("\(name): byte \(i) (pixel \(i / 3) channel \(i % 3)) got \(got) want \(want)")
      }
    }
  }

  @Test func alphaIsCompositedOntoBlack() throws {
    let image = try ImageDecoder.load(path: try Support.fixtures.path("rgba8.png"))
    // Pixel (1, 0) has alpha 0 in the fixture: fully transparent comes out black.
    #expect(image[1, 0] == RGB(0, 0, 0))
    // Pixel (0, 0) has alpha 255: unchanged from the generator (10, 20, 200).
    #expect(image[0, 0] == RGB(10, 20, 200))
  }
}
