// ModelFiles: reads TFLite flatbuffers with bounds-checked offsets, and reads and writes safetensors.

/// An error reading a `.tflite` model: the file, and what is wrong with it.
public struct ModelFilesError: Error, CustomStringConvertible, Equatable, Sendable {
  /// What went wrong.
  public enum Kind: Equatable, Sendable {
    /// The file does not exist.
    case fileNotFound
    /// The file exists but could not be read (permissions, a directory, an I/O error).
    case unreadable(String)
    /// The file is not a TFLite flatbuffer (wrong file identifier).
    case notTFLite(String)
    /// An offset, a length or a value in the flatbuffer is out of range or inconsistent.
    case malformed(String)
    /// The model uses something this reader does not support.
    case unsupported(String)
  }

  /// The model file (or a label for in-memory bytes).
  public var path: String
  /// What went wrong.
  public var kind: Kind

  /// Creates an error for `path`.
  public init(path: String, kind: Kind) {
    self.path = path
    self.kind = kind
  }

  public var description: String {
    switch kind {
    case .fileNotFound: return "\(path): model file not found"
    case .unreadable(let why): return "\(path): cannot read model file: \(why)"
    case .notTFLite(let why): return "\(path): not a TFLite model (\(why))"
    case .malformed(let why): return "\(path): corrupt TFLite model: \(why)"
    case .unsupported(let why): return "\(path): unsupported TFLite model: \(why)"
    }
  }
}
