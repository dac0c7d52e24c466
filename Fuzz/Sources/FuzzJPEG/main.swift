// Fuzz target: JPEG decoding (EXIF orientation included) through MediaIO; bytes 0..<3 forced to FF D8 FF.
import CFuzzDriver
import Foundation
import MediaIO

@_cdecl("LLVMFuzzerTestOneInput")
func fuzzJPEG(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
  guard let data else { return 0 }
  var bytes = Array(UnsafeBufferPointer(start: data, count: size))
  let soi: [UInt8] = [0xFF, 0xD8, 0xFF]
  for i in 0..<min(3, bytes.count) { bytes[i] = soi[i] }
  if let image = try? ImageDecoder.decode(bytes, path: "fuzz.jpg") {
    precondition(image.pixels.count == image.width * image.height * 3, "pixel buffer size mismatch")
  }
  return 0
}

// libFuzzer runs the driver from our main (SwiftPM links main to this file's top-level code).
var argc = CommandLine.argc
var argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>? = CommandLine.unsafeArgv
exit(LLVMFuzzerRunDriver(&argc, &argv, fuzzJPEG))
