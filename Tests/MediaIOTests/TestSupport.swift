// MediaIOTests: this target's helpers: its fixtures, JSON goldens, errors, PNG chunk CRCs, image differences
// (temporary folders, files and the fetched samples are PoseScopeTestSupport's).
import Foundation
import PoseScopeTestSupport
import Testing

@testable import MediaIO

enum Support {
  /// The copied Fixtures folder of this test target.
  static let fixtures = FixtureFolder(.module)

  static func json(_ name: String) throws -> Any {
    try JSONSerialization.jsonObject(with: fixtures.data(name))
  }

  /// Runs `body` and returns the `MediaIOError` it throws (failing the test if it does not throw one).
  static func error<T>(_ body: () throws(MediaIOError) -> T) -> MediaIOError? {
    do {
      _ = try body()
      Issue.record("expected an MediaIOError, but the call succeeded")
      return nil
    } catch {
      return error
    }
  }

  /// CRC-32 (as PNG chunks use it) of `bytes`.
  static func crc32(_ bytes: ArraySlice<UInt8>) -> UInt32 {
    var crc: UInt32 = 0xFFFF_FFFF
    for byte in bytes {
      crc ^= UInt32(byte)
      for _ in 0..<8 { crc = crc & 1 != 0 ? (crc >> 1) ^ 0xEDB8_8320 : crc >> 1 }
    }
    return ~crc
  }

  /// PNG chunks of `bytes` as (type, offset of the length field, data length).
  static func pngChunks(_ bytes: [UInt8]) -> [(type: String, offset: Int, length: Int)] {
    var chunks: [(String, Int, Int)] = []
    var at = 8
    while at + 12 <= bytes.count {
      let length =
        Int(bytes[at]) << 24 | Int(bytes[at + 1]) << 16 | Int(bytes[at + 2]) << 8 | Int(bytes[at + 3])
      let type = String(decoding: bytes[(at + 4)..<(at + 8)], as: UTF8.self)
      chunks.append((type, at, length))
      at += 12 + length
    }
    return chunks
  }

  /// Rewrites the CRC of the chunk whose length field is at `offset`.
  static func fixCRC(_ bytes: inout [UInt8], chunkAt offset: Int, length: Int) {
    let crc = crc32(bytes[(offset + 4)..<(offset + 8 + length)])
    let end = offset + 8 + length
    bytes[end] = UInt8(crc >> 24)
    bytes[end + 1] = UInt8((crc >> 16) & 0xFF)
    bytes[end + 2] = UInt8((crc >> 8) & 0xFF)
    bytes[end + 3] = UInt8(crc & 0xFF)
  }

  /// A minimal PNG: signature + IHDR claiming `width` x `height` (8-bit RGB) + a tiny IDAT + IEND.
  static func pngHeaderOnly(width: UInt32, height: UInt32) -> [UInt8] {
    var bytes: [UInt8] = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]
    func be32(_ v: UInt32) -> [UInt8] {
      [UInt8(v >> 24), UInt8((v >> 16) & 0xFF), UInt8((v >> 8) & 0xFF), UInt8(v & 0xFF)]
    }
    func chunk(_ type: String, _ data: [UInt8]) {
      let start = bytes.count
      bytes += be32(UInt32(data.count)) + Array(type.utf8) + data + [0, 0, 0, 0]
      fixCRC(&bytes, chunkAt: start, length: data.count)
    }
    chunk("IHDR", be32(width) + be32(height) + [8, 2, 0, 0, 0])
    chunk("IDAT", [0x78, 0x9C, 0x03, 0x00, 0x00, 0x00, 0x00, 0x01])
    chunk("IEND", [])
    return bytes
  }

  /// The max absolute per-byte difference between two images of equal size (nil when sizes differ).
  static func maxDifference(_ a: Image, _ b: Image) -> Int? {
    guard a.width == b.width, a.height == b.height else { return nil }
    var worst = 0
    for (x, y) in zip(a.pixels, b.pixels) { worst = max(worst, abs(Int(x) - Int(y))) }
    return worst
  }
}
