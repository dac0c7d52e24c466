// Fuzz target: the safetensors reader (ModelIO), including every tensor accessor.
import ModelIO

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzSafetensors(_ data: UnsafePointer<UInt8>, _ size: Int) -> Int32 {
  let bytes = Array(UnsafeBufferPointer(start: data, count: size))
  guard let file = try? SafeTensors(bytes: bytes, path: "fuzz.safetensors") else { return 0 }
  for name in file.names {
    _ = try? file.bytes(name)
    _ = try? file.floats(name)
    _ = try? file.ints(name)
  }
  return 0
}
