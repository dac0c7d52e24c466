// MediaIOTests: inputs found by fuzzing (Fuzz/run.sh jpeg) stay rejected, quickly.
import Foundation
import Testing

@testable import MediaIO

// Both fixtures are libFuzzer timeout inputs (over 1 s each), with the first 3 bytes set to FF D8 FF as the
// fuzz target does:
// - Fixtures/fuzz/jpeg-fatal-after-warning.jpg (442 bytes, timeout-ad8b6950…): a frame header claiming
//   14080x13824 (under the pixel limit), a scan header with invalid parameters for a sequential JPEG (a
//   TurboJPEG warning), then a bad Huffman table, which is fatal but reported with TurboJPEG's warning code
//   because a warning came first. It decoded to a grey 195-megapixel image, then the EXIF rotation timed out.
// - Fixtures/fuzz/jpeg-cmyk-invalid-scan.jpg (350 bytes, timeout-413801fb…): a CMYK frame claiming
//   13568x8192 whose only problem TurboJPEG reports is the invalid scan header; it decoded to grey and the
//   CMYK conversion of 111 megapixels timed out.
// - Fixtures/fuzz/jpeg-huge-frame-no-tables.jpg (304 bytes, timeout-ea9194ba…): a frame claiming 19200x13824
//   (265 megapixels, just under the limit) without quantization tables; zero-filling the 796 MB output
//   buffer took over a second before TurboJPEG reported the missing table.
// Now invalid scan parameters are corrupt, any message that is not one of libjpeg's warnings is an error
// whatever TurboJPEG's code says, and frames over 16 megapixels are first decoded at 1/8 scale so damaged
// data is found before the full buffer is allocated.
// Fixtures/fuzz/big_progressive_4100x4000.jpg (147 KB) is a valid image over that size, made with OpenCV
// (/opt/psref): left 2048 columns RGB (200, 120, 40), the rest RGB (30, 80, 200), quality 90, progressive.

@Suite struct FuzzRegressionTests {
  @Test(arguments: ["jpeg-fatal-after-warning.jpg", "jpeg-cmyk-invalid-scan.jpg"])
  func tinyFileWithAnInvalidScanIsCorrupt(_ name: String) throws {
    let bytes = try Support.fixtures.bytes("fuzz/" + name)
    #expect(bytes.count < 500)
    let error = Support.error { () throws(MediaIOError) in try ImageDecoder.decode(bytes, path: "f.jpg") }
    #expect(error?.kind == .corrupt("Invalid SOS parameters for sequential JPEG"))
    #expect(
      error?.description
        == "f.jpg: corrupt or unsupported image data: Invalid SOS parameters for sequential JPEG")
  }

  @Test func hugeFrameWithoutTablesIsRejectedBeforeAllocating() throws {
    let bytes = try Support.fixtures.bytes("fuzz/jpeg-huge-frame-no-tables.jpg")
    let error = Support.error { () throws(MediaIOError) in try ImageDecoder.decode(bytes, path: "f.jpg") }
    #expect(error?.kind == .corrupt("Quantization table 0x00 was not defined"))
  }

  @Test func bigValidJpegStillDecodesAfterTheProbe() throws {
    let bytes = try Support.fixtures.bytes("fuzz/big_progressive_4100x4000.jpg")
    let image = try ImageDecoder.decode(bytes, path: "big.jpg")
    #expect(image.width == 4100 && image.height == 4000)
    try #require(image.width * image.height > JPEGDecoder.probePixels)
    for (x, y, expected) in [(100, 100, RGB(200, 120, 40)), (4000, 3900, RGB(30, 80, 200))] {
      let p = image[x, y]
      let close = [(p.r, expected.r), (p.g, expected.g), (p.b, expected.b)].allSatisfy {
        abs(Int($0) - Int($1)) <= 2
      }
      #expect(close, "pixel (\(x), \(y)) is \(p), expected about \(expected)")
    }
  }

  @Test func onlyLibjpegWarningsAreTreatedAsWarnings() {
    // libjpeg's warnings (JWRN_*) may be harmless; any other message reported with the warning code is
    // a fatal error that followed a warning.
    for warning in [
      "Corrupt JPEG data: 3 extraneous bytes before marker 0xd9",
      "Warning: unknown JFIF revision number 3.01",
      "Invalid SOS parameters for sequential JPEG", "Corrupt JPEG data: bad ICC marker",
    ] {
      #expect(JPEGDecoder.warningPrefixes.contains { warning.hasPrefix($0) }, "\(warning)")
    }
    for error in [
      "Bogus Huffman table definition", "Unsupported JPEG data precision 7", "Bogus marker length",
    ] {
      #expect(!JPEGDecoder.warningPrefixes.contains { error.hasPrefix($0) }, "\(error)")
    }
  }
}
