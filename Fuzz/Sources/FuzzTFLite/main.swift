// Fuzz target: the TFLite flatbuffer reader (ModelIO) plus interpreter preparation (NeuralEngine).
import ModelIO
import NeuralEngine

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzTFLite(_ data: UnsafePointer<UInt8>, _ size: Int) -> Int32 {
  let bytes = Array(UnsafeBufferPointer(start: data, count: size))
  guard let model = try? TFLiteModel(bytes: bytes, path: "fuzz.tflite") else { return 0 }
  for g in model.subgraphs {
    for t in g.tensors { _ = model.constantData(of: t) }
  }
  _ = try? Interpreter(model: model)
  return 0
}
