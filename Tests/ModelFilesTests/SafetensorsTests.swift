// ModelFilesTests: safetensors reader/writer — round trip, Python interop fixtures, corruption cases.

import Foundation
import PoseScopeTestSupport
import Testing

@testable import ModelFiles

/// The path of fixture `<name>.safetensors` of this test bundle.
private func fixture(_ name: String) throws -> String {
  try FixtureFolder(.module).path(name + ".safetensors", hint: "regenerate with Fixtures/safetensors_make.py")
}

/// Builds a file from a header string and data bytes; `declaredLength` overrides the length prefix.
private func makeFile(_ header: String, data: [UInt8] = [], declaredLength: UInt64? = nil) -> [UInt8] {
  let json = Array(header.utf8)
  let n = declaredLength ?? UInt64(json.count)
  return (0..<8).map { UInt8(truncatingIfNeeded: n >> (8 * UInt64($0))) } + json + data
}

private let corruptPath = "/data/corrupt.safetensors"

/// Asserts that parsing `bytes` fails with `kind` and an error message naming the path.
private func expectFailure(
  _ bytes: [UInt8], _ kind: SafeTensorsError.Kind, sourceLocation: SourceLocation = #_sourceLocation
) {
  do {
    _ = try SafeTensors(bytes: bytes, path: corruptPath)
    Issue.record("expected \(kind) error, parsing succeeded", sourceLocation: sourceLocation)
  } catch let error as SafeTensorsError {
    #expect(error.kind == kind, "\(error)", sourceLocation: sourceLocation)
    #expect(error.description.contains(corruptPath), sourceLocation: sourceLocation)
  } catch {
    Issue.record("unexpected error type \(error)", sourceLocation: sourceLocation)
  }
}

@Test func readsPythonFixtureWithExactValues() throws {
  let path = try fixture("safetensors_mixed")
  let st = try SafeTensors.read(path: path)
  #expect(st.names == ["empty", "half", "index", "mask", "scalar", "weight"])
  #expect(
    st.metadata == ["format": "np", "producer": "safetensors_make.py", "note": "ünïcode ✓ \"quoted\"\n"])

  #expect(try st.shape("weight") == [2, 3])
  #expect(try st.dtype("weight") == .f32)
  let weight = try st.floats("weight")
  #expect(weight == [0, 1.5, -2.25, 1e-3, 65504, 0])
  #expect(weight[5].sign == .minus && weight[0].sign == .plus)

  #expect(try st.dtype("half") == .f16)
  let half = try st.floats("half")
  #expect(half == [1, -0.5, 65504, 0x1p-14, 0x1p-24, 0.333251953125, -.infinity])

  #expect(try st.shape("scalar") == [])
  #expect(try st.floats("scalar") == [Float(bitPattern: 0x3DCC_CCCD)])  // 0.1 rounded to binary32
  #expect(try st.bytes("scalar") == [0x9A, 0x99, 0x99, 0x99, 0x99, 0x99, 0xB9, 0x3F])  // 0.1 as binary64

  #expect(try st.shape("mask") == [2, 2])
  #expect(try st.bytes("mask") == [0, 1, 254, 255])
  #expect(try st.ints("mask") == [0, 1, 254, 255])

  #expect(try st.dtype("index") == .i32)
  #expect(try st.ints("index") == [-2_147_483_648, 0, 2_147_483_647])
  #expect(try st.bytes("index").count == 12)

  #expect(try st.shape("empty") == [0, 3])
  #expect(try st.floats("empty") == [])
  #expect(try st.info("empty").elementCount == 0)

  // Wrong-type and missing-tensor accessors.
  #expect(throws: SafeTensorsError.self) { try st.floats("mask") }
  #expect(throws: SafeTensorsError.self) { try st.ints("weight") }
  do {
    _ = try st.floats("bias")
    Issue.record("expected missingTensor")
  } catch let error as SafeTensorsError {
    #expect(error.kind == .missingTensor)
    #expect(error.description.contains(path) && error.description.contains("bias"))
  }
}

@Test func writerMatchesReferenceImplementationByteForByte() throws {
  // Same tensors and metadata as safetensors_reference in safetensors_make.py.
  var writer = SafeTensorsWriter(metadata: ["format": "pt/np \"x\" é\t\u{01}"])
  try writer.add("weight", floats: [1, -2, 0.5, 3.25, -0.0, 1e-7], shape: [2, 3])
  try writer.add("labels", uint8: [7, 0, 255, 1, 2], shape: [5])
  try writer.add("bias", floats: [0.125, -1e30], shape: [2])
  let expected = [UInt8](try Data(contentsOf: URL(fileURLWithPath: try fixture("safetensors_reference"))))
  let produced = writer.serialized()
  #expect(produced == expected)
  if produced != expected {
    let header = { (b: [UInt8]) in String(decoding: b.prefix(300), as: UTF8.self) }
    Issue.record("produced \(header(produced))\nexpected \(header(expected))")
  }
}

@Test func roundTripThroughFile() throws {
  let dir = try TestFiles.makeTemporaryFolderURL("safetensors-tests")
  defer { try? FileManager.default.removeItem(at: dir) }
  let path = dir.appendingPathComponent("model.safetensors").path
  let special: [Float] = [
    .pi, -0.0, .infinity, -.infinity, .leastNonzeroMagnitude, .greatestFiniteMagnitude,
    Float(bitPattern: 0x7FC0_1234),
  ]
  var rng = SystemRandomNumberGenerator()
  let random = (0..<1000).map { _ in Float(bitPattern: UInt32.random(in: 0...UInt32.max, using: &rng)) }
  var writer = SafeTensorsWriter()
  writer.metadata = ["a": "1", "z": "line\nbreak \\ \"q\" ✓", "empty": ""]
  try writer.add("special", floats: special, shape: [7])
  try writer.add("random", floats: random, shape: [10, 10, 10])
  try writer.add("scalar", floats: [42], shape: [])
  try writer.add("nothing", floats: [], shape: [3, 0])
  try writer.add("bytes", uint8: Array(0...255), shape: [16, 16])
  #expect(writer.names == ["bytes", "nothing", "random", "scalar", "special"])
  try writer.write(to: path)

  let st = try SafeTensors.read(path: path)
  #expect(st.metadata == writer.metadata)
  #expect(st.names == writer.names)
  #expect(try st.floats("special").map(\.bitPattern) == special.map(\.bitPattern))
  #expect(try st.floats("random").map(\.bitPattern) == random.map(\.bitPattern))
  #expect(try st.shape("random") == [10, 10, 10])
  #expect(try st.floats("scalar") == [42] && st.shape("scalar") == [])
  #expect(try st.floats("nothing") == [] && st.shape("nothing") == [3, 0])
  #expect(try st.bytes("bytes") == Array(0...255))
  #expect(try st.dtype("bytes") == .u8)

  // Layout: header length a multiple of 8, data contiguous with F32 tensors first.
  let raw = [UInt8](try Data(contentsOf: URL(fileURLWithPath: path)))
  let n = raw.prefix(8).enumerated().reduce(0) { $0 | Int($1.element) << (8 * $1.offset) }
  #expect(n % 8 == 0)
  #expect(raw.count == 8 + n + 4 * (7 + 1000 + 1) + 256)
  #expect(try st.info("nothing").byteRange == 0..<0)
  #expect(try st.info("random").byteRange == 0..<4000)
  #expect(try st.info("scalar").byteRange == 4000..<4004)
  #expect(try st.info("special").byteRange == 4004..<4032)
  #expect(try st.info("bytes").byteRange == 4032..<4288)

  // Overwriting is atomic and leaves no temporary files behind.
  var small = SafeTensorsWriter(metadata: ["v": "2"])
  try small.add("x", floats: [1, 2], shape: [2])
  try small.write(to: path)
  #expect(try FileManager.default.contentsOfDirectory(atPath: dir.path) == ["model.safetensors"])
  let reread = try SafeTensors.read(path: path)
  #expect(reread.names == ["x"] && reread.metadata == ["v": "2"])
  #expect(try reread.floats("x") == [1, 2])

  // The empty writer produces a valid file.
  let empty = try SafeTensors(bytes: SafeTensorsWriter().serialized())
  #expect(empty.names.isEmpty && empty.metadata.isEmpty)
}

@Test func writerErrors() throws {
  var writer = SafeTensorsWriter()
  try writer.add("a", floats: [1, 2, 3, 4], shape: [2, 2])
  #expect(throws: SafeTensorsError.self) { try writer.add("a", floats: [1], shape: [1]) }
  #expect(throws: SafeTensorsError.self) { try writer.add("__metadata__", floats: [1], shape: [1]) }
  #expect(throws: SafeTensorsError.self) { try writer.add("b", floats: [1, 2, 3], shape: [2, 2]) }
  #expect(throws: SafeTensorsError.self) { try writer.add("c", uint8: [1], shape: [-1, -1]) }
  #expect(throws: SafeTensorsError.self) { try writer.add("d", uint8: [], shape: [Int.max, Int.max, 0]) }
  #expect(writer.names == ["a"])
  let missingDir = "/nonexistent-\(UUID().uuidString)/model.safetensors"
  do {
    try writer.write(to: missingDir)
    Issue.record("expected an I/O error")
  } catch let error as SafeTensorsError {
    #expect(error.kind == .io && error.description.contains(missingDir))
  }
  do {
    _ = try SafeTensors.read(path: missingDir)
    Issue.record("expected an I/O error")
  } catch let error as SafeTensorsError {
    #expect(error.kind == .io && error.description.contains(missingDir))
  }
}

@Test func convertsBF16F16F64AndIntegers() throws {
  let header = """
    {"b":{"dtype":"BF16","shape":[3],"data_offsets":[0,6]},\
    "h":{"dtype":"F16","shape":[4],"data_offsets":[6,14]},\
    "d":{"dtype":"F64","shape":[1],"data_offsets":[14,22]},\
    "l":{"dtype":"I64","shape":[1],"data_offsets":[22,30]},\
    "s":{"dtype":"I16","shape":[2],"data_offsets":[30,34]},\
    "c":{"dtype":"I8","shape":[2],"data_offsets":[34,36]},\
    "t":{"dtype":"BOOL","shape":[3],"data_offsets":[36,39]},\
    "__metadata__":null}
    """
  var data: [UInt8] = [0x80, 0x3F, 0x20, 0xC0, 0x80, 0x7F]  // bf16 1.0, -2.5, +inf
  data += [0x00, 0x80, 0x01, 0x00, 0xFF, 0x03, 0x01, 0x7E]  // f16 −0, 2⁻²⁴, 1023·2⁻²⁴, NaN (payload 1)
  data += [0, 0, 0, 0, 0, 0, 0xF0, 0xC3]  // f64 −2⁶⁴ (rounds exactly to binary32)
  data += [0xFE, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF]  // i64 −2
  data += [0x00, 0x80, 0xFF, 0x7F]  // i16 −32768, 32767
  data += [0x80, 0x7F]  // i8 −128, 127
  data += [0, 1, 2]  // bool (nonzero is true)
  let st = try SafeTensors(bytes: makeFile(header, data: data))
  #expect(st.metadata.isEmpty)
  #expect(try st.floats("b") == [1, -2.5, .infinity])
  let h = try st.floats("h")
  #expect(h[0] == 0 && h[0].sign == .minus)
  #expect(h[1] == 0x1p-24 && h[2] == 1023 * 0x1p-24)
  #expect(h[3].isNaN && h[3].bitPattern == 0x7FC0_2000)
  #expect(try st.floats("d") == [-0x1p64])
  #expect(try st.ints("l") == [-2])
  #expect(try st.ints("s") == [-32768, 32767])
  #expect(try st.ints("c") == [-128, 127])
  #expect(try st.ints("t") == [0, 1, 1])
  // Every binary16 value converts exactly (checked against the arithmetic definition).
  for bits in UInt16.min...UInt16.max {
    let f = SafeTensors.halfToFloat(bits)
    let exponent = Int((bits >> 10) & 0x1F)
    let mantissa = Float(bits & 0x3FF)
    let sign: Float = bits & 0x8000 == 0 ? 1 : -1
    if exponent == 31 {
      #expect(mantissa == 0 ? f == sign * .infinity : f.isNaN)
    } else if exponent == 0 {
      #expect(f == sign * mantissa * 0x1p-24)
    } else {
      #expect(f == sign * (1 + mantissa / 1024) * Float(sign: .plus, exponent: exponent - 15, significand: 1))
    }
  }
}

/// One header entry: `"name":{"dtype":…,"shape":[…],"data_offsets":[…]}` (shape/offsets as raw JSON).
private func entry(_ name: String, _ dtype: String, _ shape: String, _ offsets: String) -> String {
  #""\#(name)":{"dtype":\#(dtype),"shape":[\#(shape)],"data_offsets":[\#(offsets)]}"#
}

@Test func rejectsCorruptFiles() throws {
  let ok = "{" + entry("a", #""F32""#, "2", "0,8") + "}"
  #expect(ok == #"{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}}"#)
  // Sanity: the base case parses.
  #expect(try SafeTensors(bytes: makeFile(ok, data: [UInt8](repeating: 0, count: 8))).names == ["a"])
  let zeros = { (n: Int) in [UInt8](repeating: 0, count: n) }
  let one = { (e: String, n: Int) in makeFile("{" + e + "}", data: zeros(n)) }

  expectFailure([], .truncated)
  expectFailure([1, 0, 0, 0, 0, 0, 0], .truncated)
  expectFailure(makeFile(ok, declaredLength: 1000), .truncated)
  expectFailure(makeFile(ok, declaredLength: UInt64.max), .headerTooLarge)
  expectFailure(makeFile(ok, declaredLength: 100_000_001), .headerTooLarge)
  expectFailure(makeFile("{not json"), .invalidHeader)
  expectFailure(makeFile(""), .invalidHeader)
  expectFailure(makeFile("[1, 2]"), .invalidHeader)
  expectFailure(makeFile("42"), .invalidHeader)
  expectFailure([2, 0, 0, 0, 0, 0, 0, 0, 0xFF, 0xFE], .invalidHeader)  // not UTF-8
  expectFailure(makeFile(#"{"a": 5}"#), .invalidHeader)
  expectFailure(makeFile(#"{"a":{"dtype":"F32","shape":[1]}}"#), .invalidHeader)
  expectFailure(one(entry("a", #""F32""#, "1.5", "0,4"), 4), .invalidHeader)
  expectFailure(one(entry("a", "7", "1", "0,4"), 4), .invalidHeader)
  expectFailure(one(entry("a", #""Q7""#, "1", "0,4"), 4), .unknownDType)
  expectFailure(one(entry("a", #""F32""#, "3", "0,8"), 12), .sizeMismatch)
  expectFailure(one(entry("a", #""F16""#, "2,2", "0,6"), 8), .sizeMismatch)
  expectFailure(one(entry("a", #""F32""#, "-1", "0,4"), 4), .invalidShape)
  expectFailure(one(entry("a", #""F32""#, "4294967296,4294967296,16", "0,4"), 4), .overflow)
  expectFailure(one(entry("a", #""U8""#, "100", "0,100"), 2), .invalidOffsets)  // out of bounds
  expectFailure(one(entry("a", #""U8""#, "0", "8,0"), 8), .invalidOffsets)  // begin > end
  expectFailure(one(entry("a", #""U8""#, "1", "-1,0"), 1), .invalidOffsets)
  expectFailure(one(entry("a", #""U8""#, "1", "0"), 1), .invalidOffsets)
  expectFailure(one(entry("a", #""U8""#, "1", "0,1,2"), 1), .invalidOffsets)
  let overlapping = entry("a", #""F32""#, "2", "0,8") + "," + entry("b", #""F32""#, "2", "4,12")
  expectFailure(one(overlapping, 12), .invalidOffsets)
  let identical = entry("a", #""U8""#, "4", "0,4") + "," + entry("b", #""U8""#, "4", "0,4")
  expectFailure(one(identical, 4), .invalidOffsets)
  expectFailure(makeFile(#"{"__metadata__":{"a":1}}"#), .invalidMetadata)
  expectFailure(makeFile(#"{"__metadata__":["a"]}"#), .invalidMetadata)
  expectFailure(makeFile(#"{"__metadata__":{"a":{"b":"c"}}}"#), .invalidMetadata)

  // Gaps and zero-size tensors inside other ranges are accepted.
  let gapped = entry("a", #""U8""#, "1", "3,4") + "," + entry("e", #""F32""#, "0", "3,3")
  let gaps = try SafeTensors(bytes: makeFile("{" + gapped + "}", data: [9, 9, 9, 7, 9]))
  #expect(try gaps.bytes("a") == [7] && gaps.floats("e") == [])
}

@Test func survivesTruncationAndRandomCorruption() throws {
  let original = [UInt8](try Data(contentsOf: URL(fileURLWithPath: try fixture("safetensors_mixed"))))
  func exercise(_ bytes: [UInt8]) {
    guard let st = try? SafeTensors(bytes: bytes) else { return }
    for name in st.names {
      _ = try? st.bytes(name)
      _ = try? st.floats(name)
      _ = try? st.ints(name)
    }
  }
  var failures = 0
  for length in 0..<original.count {
    if (try? SafeTensors(bytes: Array(original.prefix(length)))) == nil { failures += 1 }
  }
  // Every truncation shorter than the full data buffer must be rejected.
  #expect(failures == original.count)
  var rng = SystemRandomNumberGenerator()
  for _ in 0..<3000 {
    var bytes = original
    for _ in 0..<Int.random(in: 1...4, using: &rng) {
      bytes[Int.random(in: 0..<bytes.count, using: &rng)] = UInt8.random(in: 0...255, using: &rng)
    }
    exercise(bytes)
  }
}
