// ModelFilesTests: the model-file rows of docs/BAD_INPUTS.md that had no test: the exact messages for zero-byte
// files and safetensors headers that lie about sizes, the safetensors file-size cap, unreadable model files,
// symlink loops, and deeply nested safetensors headers.
import Foundation
import ModelFiles
import PoseScopeTestSupport
import Testing

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

@Suite struct BadInputTableTests {
  /// A safetensors file: little-endian header length, the header, then `data`.
  static func safetensors(_ header: String, data: [UInt8] = []) -> [UInt8] {
    let json = Array(header.utf8)
    return (0..<8).map { UInt8(truncatingIfNeeded: UInt64(json.count) >> (8 * UInt64($0))) } + json + data
  }

  /// The message of the SafeTensorsError that parsing `bytes` throws (nil, with an issue, otherwise).
  static func safetensorsMessage(
    _ bytes: [UInt8], sourceLocation: SourceLocation = #_sourceLocation
  ) -> String? {
    do {
      _ = try SafeTensors(bytes: bytes, path: "w.safetensors")
      Issue.record("parsed, expected an error", sourceLocation: sourceLocation)
    } catch let error as SafeTensorsError {
      return error.description
    } catch {
      Issue.record("unexpected error \(error)", sourceLocation: sourceLocation)
    }
    return nil
  }

  @Test func zeroByteFiles() throws {
    let dir = try TestFiles.makeTemporaryFolder("modelfiles-badinput")
    defer { TestFiles.remove(dir) }
    let tflite = dir + "/empty.tflite"
    let weights = dir + "/empty.safetensors"
    try TestFiles.write(Data(), to: tflite)
    try TestFiles.write(Data(), to: weights)
    let modelError = #expect(throws: ModelFilesError.self) { try TFLiteModel.read(path: tflite) }
    #expect(modelError?.description == "\(tflite): not a TFLite model (file is 0 bytes, too short)")
    let weightsError = #expect(throws: SafeTensorsError.self) { try SafeTensors.read(path: weights) }
    #expect(
      weightsError?.description
        == "safetensors file \(weights): file is 0 bytes, shorter than the 8-byte header length")
  }

  @Test func safetensorsHeaderThatLiesAboutSizes() {
    // The header promises more bytes than the file has.
    var bytes = Self.safetensors(
      #"{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}}"#, data: [0, 0, 0, 0])
    #expect(
      Self.safetensorsMessage(bytes)
        == "safetensors file w.safetensors: tensor 'a' data_offsets [0, 8] exceed the 4-byte data buffer")
    // The shape needs more bytes than the offsets give.
    bytes = Self.safetensors(
      #"{"a":{"dtype":"F32","shape":[3],"data_offsets":[0,8]}}"#, data: Array(repeating: 0, count: 12))
    #expect(
      Self.safetensorsMessage(bytes)
        == "safetensors file w.safetensors: tensor 'a' has 8 bytes but shape [3] of F32 needs 12")
    // The header length prefix is larger than the file.
    bytes = Self.safetensors("{}")
    bytes[0] = 200
    #expect(
      Self.safetensorsMessage(bytes)
        == "safetensors file w.safetensors: header length 200 exceeds the 2 bytes after the length prefix")
    // A shape whose byte count overflows Int.
    bytes = Self.safetensors(
      #"{"a":{"dtype":"F32","shape":[4294967296,4294967296,16],"data_offsets":[0,4]}}"#, data: [0, 0, 0, 0])
    #expect(
      Self.safetensorsMessage(bytes)
        == "safetensors file w.safetensors: tensor 'a' shape [4294967296, 4294967296, 16] × 4 bytes overflows"
    )
  }

  @Test func deeplyNestedSafetensorsHeaderIsInvalid() {
    let depth = 100_000
    let header = String(repeating: "[", count: depth) + String(repeating: "]", count: depth)
    let message = Self.safetensorsMessage(Self.safetensors(header))
    #expect(
      message?.hasPrefix("safetensors file w.safetensors: header is not valid JSON") == true,
      "\(message ?? "")")
  }

  @Test func safetensorsFileOverTheCapIsRefusedBeforeReading() throws {
    let dir = try TestFiles.makeTemporaryFolder("modelfiles-badinput")
    defer { TestFiles.remove(dir) }
    let path = dir + "/huge.safetensors"
    try TestFiles.write(Data(), to: path)
    try #require(truncate(path, off_t(SafeTensors.maxFileBytes + 1)) == 0)  // sparse: no disk space used
    let error = #expect(throws: SafeTensorsError.self) { try SafeTensors.read(path: path) }
    #expect(error?.kind == .io)
    #expect(
      error?.description
        == "safetensors file \(path): file is \(SafeTensors.maxFileBytes + 1) bytes, over the 1073741824-byte limit"
    )
  }

  @Test func modelFileWithoutReadPermission() throws {
    let dir = try TestFiles.makeTemporaryFolder("modelfiles-badinput")
    defer { TestFiles.remove(dir) }
    let path = dir + "/locked.tflite"
    try TestFiles.write(Data("TFL3 but not really".utf8), to: path)
    try #require(chmod(path, 0) == 0)
    let error = #expect(throws: ModelFilesError.self) { try TFLiteModel.read(path: path) }
    if geteuid() == 0 {
      // Root reads files regardless of their mode, so the content check is what fails here.
      #expect(error?.kind == .notTFLite("file identifier is \" but\", expected \"TFL3\""))
    } else {
      #expect(error?.kind == .unreadable("permission denied"))
      #expect(error?.description == "\(path): cannot read model file: permission denied")
    }
  }

  @Test func modelSymlinkLoopAndDanglingLink() throws {
    let dir = try TestFiles.makeTemporaryFolder("modelfiles-badinput")
    defer { TestFiles.remove(dir) }
    let loop = dir + "/loop.tflite"
    try #require(symlink(loop, loop) == 0)
    let error = #expect(throws: ModelFilesError.self) { try TFLiteModel.read(path: loop) }
    #expect(
      error?.description
        == "\(loop): cannot read model file: it is a symbolic link to nothing (a dangling link or a loop)")
    let dangling = dir + "/dangling.tflite"
    try #require(symlink(dir + "/missing.tflite", dangling) == 0)
    let danglingError = #expect(throws: ModelFilesError.self) { try TFLiteModel.read(path: dangling) }
    #expect(
      danglingError?.kind == .unreadable("it is a symbolic link to nothing (a dangling link or a loop)"))
    let weights = dir + "/loop.safetensors"
    try #require(symlink(weights, weights) == 0)
    let weightsError = #expect(throws: SafeTensorsError.self) { try SafeTensors.read(path: weights) }
    #expect(weightsError?.kind == .io)
    #expect(weightsError?.description.hasPrefix("safetensors file \(weights): cannot read file (") == true)
  }
}
