// Fuzz target: the safetensors reader (ModelFiles), including every tensor accessor.
import CFuzzDriver
import Foundation
import ModelFiles

@_cdecl("LLVMFuzzerTestOneInput")
func fuzzSafetensors(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
  guard let data else { return 0 }
  let bytes = Array(UnsafeBufferPointer(start: data, count: size))
  guard let file = try? SafeTensors(bytes: bytes, path: "fuzz.safetensors") else { return 0 }
  for name in file.names {
    _ = try? file.bytes(name)
    _ = try? file.floats(name)
    _ = try? file.ints(name)
  }
  return 0
}

// libFuzzer runs the driver from our main (SwiftPM links main to this file's top-level code).
var argc = CommandLine.argc
var argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>? = CommandLine.unsafeArgv
exit(LLVMFuzzerRunDriver(&argc, &argv, fuzzSafetensors))
