// Fuzz target: JPEG decoding (with EXIF orientation) through ImageIO; the first 3 bytes are forced to FF D8 FF.
import ImageIO

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzJPEG(_ data: UnsafePointer<UInt8>, _ size: Int) -> Int32 {
  var bytes = Array(UnsafeBufferPointer(start: data, count: size))
  let soi: [UInt8] = [0xFF, 0xD8, 0xFF]
  for i in 0..<min(3, bytes.count) { bytes[i] = soi[i] }
  if let image = try? ImageDecoder.decode(bytes, path: "fuzz.jpg") {
    precondition(image.pixels.count == image.width * image.height * 3, "pixel buffer size mismatch")
  }
  return 0
}
