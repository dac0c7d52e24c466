// ModelFiles: safetensors reading (validated header, F32/F16/BF16/F64/int tensors) and atomic writing.

import FileSupport
import Foundation

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// An error reading or writing a safetensors file; `description` names the file and the reason.
public struct SafeTensorsError: Error, CustomStringConvertible, Equatable, Sendable {
  /// What went wrong, for programmatic checks.
  public enum Kind: String, Sendable, Equatable {
    /// The file could not be read or written.
    case io
    /// The file is shorter than its 8-byte header length prefix or than the header it announces.
    case truncated
    /// The announced header length exceeds `SafeTensors.maxHeaderLength`.
    case headerTooLarge
    /// The header is not valid UTF-8 JSON, not an object, or a tensor entry is malformed.
    case invalidHeader
    /// `__metadata__` is not an object of strings.
    case invalidMetadata
    /// A tensor's dtype is not one of `SafeTensorsDType`.
    case unknownDType
    /// A tensor's shape has a negative dimension or does not match the element count given.
    case invalidShape
    /// A tensor's element or byte count overflows.
    case overflow
    /// A tensor's byte range length differs from shape × dtype size.
    case sizeMismatch
    /// A tensor's data offsets are malformed, out of bounds or overlap another tensor.
    case invalidOffsets
    /// The requested tensor does not exist.
    case missingTensor
    /// The tensor's dtype cannot be converted to the requested element type.
    case wrongDType
    /// A writer argument is invalid (duplicate or reserved tensor name).
    case invalidArgument
  }

  /// The file (or `SafeTensors.inMemoryPath` for writer arguments).
  public let path: String
  /// The category of the problem.
  public let kind: Kind
  /// Human-readable reason.
  public let reason: String

  /// Creates an error.
  public init(path: String, kind: Kind, reason: String) {
    self.path = path
    self.kind = kind
    self.reason = reason
  }

  public var description: String { "safetensors file \(path): \(reason)" }
}

/// Element types of safetensors tensors supported here.
public enum SafeTensorsDType: String, Sendable, CaseIterable, Hashable {
  case f64 = "F64"
  case f32 = "F32"
  case f16 = "F16"
  case bf16 = "BF16"
  case i64 = "I64"
  case i32 = "I32"
  case i16 = "I16"
  case i8 = "I8"
  case u8 = "U8"
  case bool = "BOOL"

  /// Bytes per element.
  public var byteSize: Int {
    switch self {
    case .f64, .i64: return 8
    case .f32, .i32: return 4
    case .f16, .bf16, .i16: return 2
    case .i8, .u8, .bool: return 1
    }
  }

  /// True for F64/F32/F16/BF16.
  public var isFloatingPoint: Bool { self == .f64 || self == .f32 || self == .f16 || self == .bf16 }
}

/// One tensor's header entry.
public struct SafeTensorInfo: Sendable, Hashable {
  /// Tensor name.
  public let name: String
  /// Element type.
  public let dtype: SafeTensorsDType
  /// Dimensions (empty for a scalar).
  public let shape: [Int]
  /// Byte range relative to the start of the data buffer (after the header).
  public let byteRange: Range<Int>

  /// Number of elements (product of `shape`; 1 for a scalar).
  public var elementCount: Int { byteRange.count / dtype.byteSize }
}

/// A safetensors file loaded into memory, with a fully validated header.
///
/// Layout: 8-byte little-endian u64 header length N, N bytes of UTF-8 JSON
/// `{"name": {"dtype": "F32", "shape": [..], "data_offsets": [begin, end]}, …, "__metadata__": {…}}`,
/// then the data buffer that the offsets index. Gaps between tensors are tolerated; overlaps are not.
public struct SafeTensors: Sendable {
  /// Largest accepted header (100 MB), as a guard against corrupt length prefixes.
  public static let maxHeaderLength = 100_000_000
  /// Largest file `read(path:)` loads (1 GiB), checked before reading.
  public static let maxFileBytes = 1 << 30
  /// Path used in errors about data that did not come from a file.
  public static let inMemoryPath = "(in memory)"

  /// The path the data came from (used in error messages).
  public let path: String
  /// The `__metadata__` strings (empty when absent).
  public let metadata: [String: String]
  /// Header entries by tensor name.
  public let tensors: [String: SafeTensorInfo]

  private let storage: [UInt8]
  private let dataStart: Int

  /// Tensor names in sorted order.
  public var names: [String] { tensors.keys.sorted() }

  /// Reads and validates the file at `path`.
  public static func read(path: String) throws -> SafeTensors {
    let bytes: [UInt8]
    do {
      // Checked before reading, so a huge file is refused without loading it.
      bytes = try BoundedRead.bytes(path, limit: maxFileBytes)
    } catch {
      switch error {
      case .tooLarge(let size):
        throw SafeTensorsError(
          path: path, kind: .io, reason: "file is \(size) bytes, over the \(maxFileBytes)-byte limit")
      case .notFound: throw SafeTensorsError(path: path, kind: .io, reason: "cannot read file (no such file)")
      case .isDirectory:
        throw SafeTensorsError(path: path, kind: .io, reason: "cannot read file (it is a folder)")
      case .notRegularFile:
        throw SafeTensorsError(path: path, kind: .io, reason: "cannot read file (not a regular file)")
      case .unreadable(let reason, _):
        throw SafeTensorsError(path: path, kind: .io, reason: "cannot read file (\(reason))")
      }
    }
    return try SafeTensors(bytes: bytes, path: path)
  }

  /// Parses and validates safetensors bytes; `path` is only used in error messages.
  public init(bytes: [UInt8], path: String = SafeTensors.inMemoryPath) throws {
    func fail(_ kind: SafeTensorsError.Kind, _ reason: String) -> SafeTensorsError {
      SafeTensorsError(path: path, kind: kind, reason: reason)
    }
    guard bytes.count >= 8 else {
      throw fail(.truncated, "file is \(bytes.count) bytes, shorter than the 8-byte header length")
    }
    var headerLength64: UInt64 = 0
    for i in 0..<8 { headerLength64 |= UInt64(bytes[i]) << (8 * UInt64(i)) }
    guard headerLength64 <= UInt64(Self.maxHeaderLength) else {
      throw fail(
        .headerTooLarge, "header length \(headerLength64) exceeds the \(Self.maxHeaderLength)-byte limit")
    }
    let headerLength = Int(headerLength64)
    guard headerLength <= bytes.count - 8 else {
      throw fail(
        .truncated,
        "header length \(headerLength) exceeds the \(bytes.count - 8) bytes after the length prefix")
    }
    let dataStart = 8 + headerLength
    let bufferLength = bytes.count - dataStart

    let header: RawHeader
    do {
      header = try JSONDecoder().decode(RawHeader.self, from: Data(bytes[8..<dataStart]))
    } catch let problem as HeaderProblem {
      switch problem {
      case .notObject:
        throw fail(.invalidHeader, "header JSON is not an object")
      case .metadata(let detail):
        throw fail(.invalidMetadata, "__metadata__ must be an object of strings (\(detail))")
      case .entry(let name, let detail):
        throw fail(
          .invalidHeader,
          "entry '\(name)' is not an object with string dtype and integer shape and data_offsets (\(detail))")
      }
    } catch {
      throw fail(.invalidHeader, "header is not valid JSON (\(describe(error)))")
    }

    var tensors: [String: SafeTensorInfo] = [:]
    for (name, entry) in header.entries.sorted(by: { $0.name < $1.name }) {
      guard let dtype = SafeTensorsDType(rawValue: entry.dtype) else {
        let known = SafeTensorsDType.allCases.map(\.rawValue).joined(separator: ", ")
        throw fail(
          .unknownDType, "tensor '\(name)' has unsupported dtype '\(entry.dtype)' (supported: \(known))")
      }
      if let negative = entry.shape.first(where: { $0 < 0 }) {
        throw fail(
          .invalidShape, "tensor '\(name)' has negative dimension \(negative) in shape \(entry.shape)")
      }
      guard let byteCount = checkedByteCount(shape: entry.shape, elementSize: dtype.byteSize) else {
        throw fail(.overflow, "tensor '\(name)' shape \(entry.shape) × \(dtype.byteSize) bytes overflows")
      }
      let offsets = entry.data_offsets
      guard offsets.count == 2 else {
        throw fail(.invalidOffsets, "tensor '\(name)' data_offsets \(offsets) must be [begin, end]")
      }
      let (begin, end) = (offsets[0], offsets[1])
      guard begin >= 0, begin <= end else {
        throw fail(
          .invalidOffsets, "tensor '\(name)' data_offsets [\(begin), \(end)] are not 0 ≤ begin ≤ end")
      }
      guard end <= bufferLength else {
        throw fail(
          .invalidOffsets,
          "tensor '\(name)' data_offsets [\(begin), \(end)] exceed the \(bufferLength)-byte data buffer")
      }
      guard end - begin == byteCount else {
        throw fail(
          .sizeMismatch,
          "tensor '\(name)' has \(end - begin) bytes but shape \(entry.shape) of \(dtype.rawValue) "
            + "needs \(byteCount)")
      }
      tensors[name] = SafeTensorInfo(name: name, dtype: dtype, shape: entry.shape, byteRange: begin..<end)
    }
    // Overlaps: sort non-empty ranges by start; each must begin at or after the previous end.
    let ranges = tensors.values.filter { !$0.byteRange.isEmpty }
      .sorted { ($0.byteRange.lowerBound, $0.name) < ($1.byteRange.lowerBound, $1.name) }
    for (previous, next) in zip(ranges, ranges.dropFirst())
    where next.byteRange.lowerBound < previous.byteRange.upperBound {
      throw fail(
        .invalidOffsets,
        "tensors '\(previous.name)' [\(previous.byteRange.lowerBound), \(previous.byteRange.upperBound)) and "
          + "'\(next.name)' [\(next.byteRange.lowerBound), \(next.byteRange.upperBound)) overlap")
    }
    self.path = path
    self.metadata = header.metadata
    self.tensors = tensors
    self.storage = bytes
    self.dataStart = dataStart
  }

  /// The header entry of tensor `name`.
  public func info(_ name: String) throws -> SafeTensorInfo {
    guard let info = tensors[name] else {
      throw SafeTensorsError(path: path, kind: .missingTensor, reason: "no tensor named '\(name)'")
    }
    return info
  }

  /// Shape of tensor `name`.
  public func shape(_ name: String) throws -> [Int] { try info(name).shape }

  /// Element type of tensor `name`.
  public func dtype(_ name: String) throws -> SafeTensorsDType { try info(name).dtype }

  /// Raw little-endian bytes of tensor `name`.
  public func bytes(_ name: String) throws -> [UInt8] {
    let range = try info(name).byteRange
    return Array(storage[(dataStart + range.lowerBound)..<(dataStart + range.upperBound)])
  }

  /// Elements of a floating-point tensor as Float (F16, BF16 and F64 are converted; F64 rounds).
  public func floats(_ name: String) throws -> [Float] {
    let info = try info(name)
    let base = dataStart + info.byteRange.lowerBound
    let n = info.elementCount
    let s = storage
    switch info.dtype {
    case .f32:
      return (0..<n).map { Float(bitPattern: UInt32(truncatingIfNeeded: loadLE(s, base + 4 * $0, 4))) }
    case .f64:
      return (0..<n).map { Float(Double(bitPattern: loadLE(s, base + 8 * $0, 8))) }
    case .f16:
      return (0..<n).map { Self.halfToFloat(UInt16(truncatingIfNeeded: loadLE(s, base + 2 * $0, 2))) }
    case .bf16:
      return (0..<n).map { Float(bitPattern: UInt32(truncatingIfNeeded: loadLE(s, base + 2 * $0, 2)) << 16) }
    default:
      throw SafeTensorsError(
        path: path, kind: .wrongDType,
        reason: "tensor '\(name)' is \(info.dtype.rawValue), not a floating-point type; use ints(_:)")
    }
  }

  /// Elements of an integer or BOOL tensor as Int (BOOL gives 0 or 1).
  public func ints(_ name: String) throws -> [Int] {
    let info = try info(name)
    let base = dataStart + info.byteRange.lowerBound
    let n = info.elementCount
    let s = storage
    switch info.dtype {
    case .i64: return (0..<n).map { Int(Int64(bitPattern: loadLE(s, base + 8 * $0, 8))) }
    case .i32: return (0..<n).map { Int(Int32(truncatingIfNeeded: loadLE(s, base + 4 * $0, 4))) }
    case .i16: return (0..<n).map { Int(Int16(truncatingIfNeeded: loadLE(s, base + 2 * $0, 2))) }
    case .i8: return (0..<n).map { Int(Int8(bitPattern: s[base + $0])) }
    case .u8: return (0..<n).map { Int(s[base + $0]) }
    case .bool: return (0..<n).map { s[base + $0] == 0 ? 0 : 1 }
    default:
      throw SafeTensorsError(
        path: path, kind: .wrongDType,
        reason: "tensor '\(name)' is \(info.dtype.rawValue), not an integer type; use floats(_:)")
    }
  }

  /// IEEE 754 binary16 → binary32 (exact; keeps signed zeros, subnormals, infinities and NaN payloads).
  public static func halfToFloat(_ h: UInt16) -> Float {
    let sign: UInt32 = UInt32(h & 0x8000) << 16
    let exponent = UInt32((h >> 10) & 0x1F)
    let mantissa = UInt32(h & 0x3FF)
    if exponent == 0 {
      // Zero or subnormal: mantissa × 2⁻²⁴, exact in binary32.
      let magnitude = Float(mantissa) * Float(bitPattern: 0x3380_0000)
      return sign == 0 ? magnitude : -magnitude
    }
    if exponent == 31 { return Float(bitPattern: sign | 0x7F80_0000 | (mantissa << 13)) }
    return Float(bitPattern: sign | ((exponent + 112) << 23) | (mantissa << 13))
  }
}

/// Builds a safetensors file from F32 and U8 tensors and writes it atomically.
///
/// Output matches the reference implementation (huggingface/safetensors `serialize`) byte for byte:
/// `__metadata__` first (keys sorted here), tensors ordered by element size (largest first, so every
/// tensor is aligned to its element size) then by name, data contiguous in that order, compact JSON
/// with fields `dtype`, `shape`, `data_offsets`, and the header padded with spaces to a multiple of 8.
public struct SafeTensorsWriter: Sendable {
  /// Metadata stored under `__metadata__` (omitted when empty).
  public var metadata: [String: String]

  private var entries: [String: (dtype: SafeTensorsDType, shape: [Int], data: [UInt8])] = [:]

  /// Creates an empty writer.
  public init(metadata: [String: String] = [:]) {
    self.metadata = metadata
  }

  /// Names of the tensors added so far, sorted.
  public var names: [String] { entries.keys.sorted() }

  /// Adds an F32 tensor.
  ///
  /// - Throws: `.invalidShape` if `shape`'s product differs from `floats.count`, `.invalidArgument` for a
  ///   duplicate name or `__metadata__`.
  public mutating func add(_ name: String, floats: [Float], shape: [Int]) throws {
    var data = [UInt8]()
    data.reserveCapacity(floats.count * 4)
    for f in floats {
      let bits = f.bitPattern
      data.append(contentsOf: [
        UInt8(truncatingIfNeeded: bits), UInt8(truncatingIfNeeded: bits >> 8),
        UInt8(truncatingIfNeeded: bits >> 16), UInt8(truncatingIfNeeded: bits >> 24),
      ])
    }
    try add(name, dtype: .f32, shape: shape, count: floats.count, data: data)
  }

  /// Adds a U8 tensor.
  ///
  /// - Throws: as `add(_:floats:shape:)`.
  public mutating func add(_ name: String, uint8 values: [UInt8], shape: [Int]) throws {
    try add(name, dtype: .u8, shape: shape, count: values.count, data: values)
  }

  private mutating func add(
    _ name: String, dtype: SafeTensorsDType, shape: [Int], count: Int, data: [UInt8]
  ) throws {
    func fail(_ kind: SafeTensorsError.Kind, _ reason: String) -> SafeTensorsError {
      SafeTensorsError(path: SafeTensors.inMemoryPath, kind: kind, reason: reason)
    }
    guard name != "__metadata__" else {
      throw fail(.invalidArgument, "tensor name '__metadata__' is reserved")
    }
    guard entries[name] == nil else { throw fail(.invalidArgument, "tensor '\(name)' was already added") }
    guard shape.allSatisfy({ $0 >= 0 }), let elements = checkedByteCount(shape: shape, elementSize: 1),
      elements == count
    else {
      throw fail(.invalidShape, "tensor '\(name)' shape \(shape) does not hold exactly \(count) elements")
    }
    entries[name] = (dtype, shape, data)
  }

  /// The complete file contents.
  public func serialized() -> [UInt8] {
    let order = entries.keys.sorted { a, b in
      let (sa, sb) = (entries[a]?.dtype.byteSize ?? 0, entries[b]?.dtype.byteSize ?? 0)
      return sa != sb ? sa > sb : a < b
    }
    var json = "{"
    var fields: [String] = []
    if !metadata.isEmpty {
      let pairs = metadata.keys.sorted().map { "\(jsonString($0)):\(jsonString(metadata[$0] ?? ""))" }
      fields.append("\"__metadata__\":{" + pairs.joined(separator: ",") + "}")
    }
    var offset = 0
    for name in order {
      guard let entry = entries[name] else { continue }
      let shape = entry.shape.map(String.init).joined(separator: ",")
      fields.append(
        "\(jsonString(name)):{\"dtype\":\"\(entry.dtype.rawValue)\",\"shape\":[\(shape)],"
          + "\"data_offsets\":[\(offset),\(offset + entry.data.count)]}")
      offset += entry.data.count
    }
    json += fields.joined(separator: ",") + "}"
    var header = Array(json.utf8)
    header.append(contentsOf: [UInt8](repeating: 0x20, count: (8 - header.count % 8) % 8))
    var out = [UInt8]()
    out.reserveCapacity(8 + header.count + offset)
    let n = UInt64(header.count)
    for i in 0..<8 { out.append(UInt8(truncatingIfNeeded: n >> (8 * UInt64(i)))) }
    out.append(contentsOf: header)
    for name in order { out.append(contentsOf: entries[name]?.data ?? []) }
    return out
  }

  /// Writes the file atomically (FileSupport's `AtomicFile`: a temporary file in the same directory,
  /// fsynced, then renamed over `path`; temporaries of killed writers are removed).
  ///
  /// - Throws: `SafeTensorsError` of kind `.io` naming the path when any step fails (the temporary file is
  ///   removed and `path` is unchanged).
  public func write(to path: String) throws {
    do {
      try AtomicFile.write(serialized(), to: path)
    } catch let error as AtomicFileError {
      throw SafeTensorsError(path: path, kind: .io, reason: error.reason)
    }
  }
}

// MARK: - Helpers

/// Product of `shape` times `elementSize`, or nil on overflow (an empty shape is a scalar).
private func checkedByteCount(shape: [Int], elementSize: Int) -> Int? {
  var total = elementSize
  for dim in shape {
    let (product, overflow) = total.multipliedReportingOverflow(by: dim)
    if overflow { return nil }
    total = product
  }
  return total
}

/// Little-endian unsigned load of `width` bytes at `offset` (callers have validated the range).
@inline(__always)
private func loadLE(_ bytes: [UInt8], _ offset: Int, _ width: Int) -> UInt64 {
  var value: UInt64 = 0
  for i in 0..<width { value |= UInt64(bytes[offset + i]) << (8 * UInt64(i)) }
  return value
}

/// JSON string literal with serde_json's escaping: `"`, `\`, control characters (short forms for
/// \b \f \n \r \t, else \u00XX); everything else, including non-ASCII and `/`, verbatim.
private func jsonString(_ s: String) -> String {
  var out = "\""
  for scalar in s.unicodeScalars {
    switch scalar {
    case "\"": out += "\\\""
    case "\\": out += "\\\\"
    case "\n": out += "\\n"
    case "\r": out += "\\r"
    case "\t": out += "\\t"
    case "\u{08}": out += "\\b"
    case "\u{0C}": out += "\\f"
    case "\u{00}"..."\u{1F}":
      let hex = String(scalar.value, radix: 16)
      out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
    default: out.unicodeScalars.append(scalar)
    }
  }
  return out + "\""
}

private func describe(_ error: Error) -> String {
  guard let decoding = error as? DecodingError else { return "\(error)" }
  switch decoding {
  case .dataCorrupted(let context), .typeMismatch(_, let context), .valueNotFound(_, let context),
    .keyNotFound(_, let context):
    let path = context.codingPath.map(\.stringValue).joined(separator: ".")
    return path.isEmpty ? context.debugDescription : "\(path): \(context.debugDescription)"
  @unknown default:
    return "\(decoding)"
  }
}

private enum HeaderProblem: Error {
  case notObject
  case metadata(String)
  case entry(String, String)
}

private struct AnyKey: CodingKey {
  let stringValue: String
  var intValue: Int? { nil }
  init(stringValue: String) { self.stringValue = stringValue }
  init?(intValue: Int) { nil }
}

private struct RawEntry: Decodable {
  let dtype: String
  let shape: [Int]
  let data_offsets: [Int]
}

private struct RawHeader: Decodable {
  var metadata: [String: String] = [:]
  var entries: [(name: String, entry: RawEntry)] = []

  init(from decoder: any Decoder) throws {
    let container: KeyedDecodingContainer<AnyKey>
    do {
      container = try decoder.container(keyedBy: AnyKey.self)
    } catch {
      throw HeaderProblem.notObject
    }
    for key in container.allKeys {
      if key.stringValue == "__metadata__" {
        if (try? container.decodeNil(forKey: key)) == true { continue }
        do {
          metadata = try container.decode([String: String].self, forKey: key)
        } catch {
          throw HeaderProblem.metadata(describe(error))
        }
      } else {
        do {
          entries.append((key.stringValue, try container.decode(RawEntry.self, forKey: key)))
        } catch {
          throw HeaderProblem.entry(key.stringValue, describe(error))
        }
      }
    }
  }
}
