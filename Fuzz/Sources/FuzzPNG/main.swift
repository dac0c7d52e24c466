// Fuzz target: PNG decoding through MediaIO (the input's first 8 bytes are forced to the PNG signature).
import CFuzzDriver
import Foundation
import MediaIO

@_cdecl("LLVMFuzzerTestOneInput")
func fuzzPNG(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
  guard let data else { return 0 }
  var bytes = Array(UnsafeBufferPointer(start: data, count: size))
  let signature: [UInt8] = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]
  for i in 0..<min(8, bytes.count) { bytes[i] = signature[i] }
  if let image = try? ImageDecoder.decode(bytes, path: "fuzz.png") {
    precondition(image.pixels.count == image.width * image.height * 3, "pixel buffer size mismatch")
  }
  return 0
}

// libFuzzer runs the driver from our main (SwiftPM links main to this file's top-level code).
var argc = CommandLine.argc
var argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>? = CommandLine.unsafeArgv
exit(LLVMFuzzerRunDriver(&argc, &argv, fuzzPNG))
