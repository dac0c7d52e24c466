// Fuzz target: PNG decoding through ImageIO (the input's first 8 bytes are forced to the PNG signature).
import ImageIO

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzPNG(_ data: UnsafePointer<UInt8>, _ size: Int) -> Int32 {
  var bytes = Array(UnsafeBufferPointer(start: data, count: size))
  let signature: [UInt8] = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]
  for i in 0..<min(8, bytes.count) { bytes[i] = signature[i] }
  if let image = try? ImageDecoder.decode(bytes, path: "fuzz.png") {
    precondition(image.pixels.count == image.width * image.height * 3, "pixel buffer size mismatch")
  }
  return 0
}
