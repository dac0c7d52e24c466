// Fuzz target: the TFLite flatbuffer reader (ModelFiles) plus interpreter preparation (NeuralEngine).
import CFuzzDriver
import Foundation
import ModelFiles
import NeuralEngine

@_cdecl("LLVMFuzzerTestOneInput")
func fuzzTFLite(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
  guard let data else { return 0 }
  let bytes = Array(UnsafeBufferPointer(start: data, count: size))
  guard let model = try? TFLiteModel(bytes: bytes, path: "fuzz.tflite") else { return 0 }
  for g in model.subgraphs {
    for t in g.tensors { _ = model.constantData(of: t) }
  }
  _ = try? Interpreter(model: model)
  return 0
}

// libFuzzer runs the driver from our main (SwiftPM links main to this file's top-level code).
var argc = CommandLine.argc
var argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>? = CommandLine.unsafeArgv
exit(LLVMFuzzerRunDriver(&argc, &argv, fuzzTFLite))
