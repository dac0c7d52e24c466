// NeuralEngine: NHWC float32 tensors, the ops of the BlazePose models, and an interpreter for a TFLite subgraph.
import ModelFiles

/// An error preparing or running a model.
public enum NeuralEngineError: Error, CustomStringConvertible, Equatable, Sendable {
  /// The model uses an operator the engine does not implement.
  case unsupportedOp(name: String, index: Int)
  /// The model is inconsistent (shapes, missing constants, bad parameters).
  case invalidModel(String)
  /// An input of the wrong size was given.
  case inputMismatch(String)

  public var description: String {
    switch self {
    case .unsupportedOp(let name, let index):
      return "unsupported operator \(name) (operator #\(index)); PoseScope's engine implements "
        + "CONV_2D, DEPTHWISE_CONV_2D, ADD, PAD, MAX_POOL_2D, RESIZE_BILINEAR, DEPTH_TO_SPACE, RESHAPE, "
        + "CONCATENATION, LOGISTIC, DEQUANTIZE, DENSIFY"
    case .invalidModel(let why): return "invalid model: \(why)"
    case .inputMismatch(let why): return "input mismatch: \(why)"
    }
  }
}
