// ModelFiles: a minimal flatbuffer reader in which every offset and length is bounds-checked.

/// A read-only view of flatbuffer bytes; every access is checked and throws `FlatBufferError`.
///
/// Tables are addressed by their absolute position. Field slots are numbered from 0 in schema order
/// (a union takes two slots: its type, then its value).
struct FlatBuffer {
  let bytes: [UInt8]

  /// Thrown by reads; converted to `ModelFilesError.malformed` by the model reader.
  struct OutOfBounds: Error { var what: String }

  /// Reads a little-endian fixed-width integer at `pos`.
  @inline(__always)
  func read<T: FixedWidthInteger>(_: T.Type, at pos: Int, _ what: @autoclosure () -> String) throws -> T {
    let size = MemoryLayout<T>.size
    guard pos >= 0, pos <= bytes.count - size else {
      throw OutOfBounds(what: "\(what()) at byte \(pos) is outside the file (\(bytes.count) bytes)")
    }
    var v: T = 0
    for i in 0..<size { v |= T(truncatingIfNeeded: bytes[pos + i]) << (8 * i) }
    return v
  }

  /// The position of the root table.
  func root() throws -> Int {
    let off = try read(UInt32.self, at: 0, "root offset")
    return try checkedTarget(0, Int(off), "root table")
  }

  private func checkedTarget(_ base: Int, _ off: Int, _ what: String) throws -> Int {
    let (t, o) = base.addingReportingOverflow(off)
    guard !o, t >= 0, t < bytes.count else {
      throw OutOfBounds(what: "\(what) points outside the file (offset \(off) from \(base))")
    }
    return t
  }

  /// The absolute position of field `slot` of the table at `table`, or nil when absent.
  func fieldPosition(_ table: Int, _ slot: Int, _ what: String) throws -> Int? {
    let soff = try read(Int32.self, at: table, "\(what) vtable offset")
    let (vt, o) = table.subtractingReportingOverflow(Int(soff))
    guard !o, vt >= 0, vt < bytes.count else {
      throw OutOfBounds(what: "\(what) vtable points outside the file")
    }
    let vtSize = Int(try read(UInt16.self, at: vt, "\(what) vtable size"))
    guard vtSize >= 4, vtSize % 2 == 0 else {
      throw OutOfBounds(what: "\(what) vtable size \(vtSize) is invalid")
    }
    let tableSize = Int(try read(UInt16.self, at: vt + 2, "\(what) table size"))
    let entry = 4 + 2 * slot
    if entry + 2 > vtSize { return nil }
    let fo = Int(try read(UInt16.self, at: vt + entry, "\(what) field \(slot)"))
    if fo == 0 { return nil }
    guard fo < tableSize else { throw OutOfBounds(what: "\(what) field \(slot) lies outside its table") }
    return table + fo
  }

  /// A scalar field, or `def` when absent.
  func scalar<T: FixedWidthInteger>(_ table: Int, _ slot: Int, _ def: T, _ what: String) throws -> T {
    guard let p = try fieldPosition(table, slot, what) else { return def }
    return try read(T.self, at: p, "\(what) field \(slot)")
  }

  /// The position of a referenced table/vector/string field, or nil when absent.
  func indirect(_ table: Int, _ slot: Int, _ what: String) throws -> Int? {
    guard let p = try fieldPosition(table, slot, what) else { return nil }
    let off = try read(UInt32.self, at: p, what)
    return try checkedTarget(p, Int(off), what)
  }

  /// The element count and first-element position of the vector at `pos`, checked to fit the file.
  func vector(at pos: Int, elementSize: Int, _ what: String) throws -> (count: Int, start: Int) {
    let n = Int(try read(UInt32.self, at: pos, "\(what) length"))
    let start = pos + 4
    let (len, o) = n.multipliedReportingOverflow(by: elementSize)
    guard !o, start <= bytes.count, len <= bytes.count - start else {
      throw OutOfBounds(what: "\(what): vector of \(n) elements runs past the end of the file")
    }
    return (n, start)
  }

  /// A vector of little-endian integers (field absent → nil).
  func intVector<T: FixedWidthInteger>(_ table: Int, _ slot: Int, _: T.Type, _ what: String) throws -> [T]? {
    guard let p = try indirect(table, slot, what) else { return nil }
    let size = MemoryLayout<T>.size
    let (n, start) = try vector(at: p, elementSize: size, what)  // checked to lie inside the file
    return bytes.withUnsafeBytes { raw in
      (0..<n).map { T(littleEndian: raw.loadUnaligned(fromByteOffset: start + $0 * size, as: T.self)) }
    }
  }

  /// The positions of the tables of a vector-of-tables field (absent → empty).
  func tableVector(_ table: Int, _ slot: Int, _ what: String) throws -> [Int] {
    guard let p = try indirect(table, slot, what) else { return [] }
    let (n, start) = try vector(at: p, elementSize: 4, what)
    var out = [Int]()
    out.reserveCapacity(n)
    for i in 0..<n {
      let ep = start + 4 * i
      let off = try read(UInt32.self, at: ep, what)
      out.append(try checkedTarget(ep, Int(off), "\(what)[\(i)]"))
    }
    return out
  }

  /// The byte range of a `[ubyte]` field (absent → nil).
  func byteRange(_ table: Int, _ slot: Int, _ what: String) throws -> Range<Int>? {
    guard let p = try indirect(table, slot, what) else { return nil }
    let (n, start) = try vector(at: p, elementSize: 1, what)
    return start..<(start + n)
  }

  /// A string field (absent → nil); invalid UTF-8 is repaired, never trusted.
  func string(_ table: Int, _ slot: Int, _ what: String) throws -> String? {
    guard let r = try byteRange(table, slot, what) else { return nil }
    return String(decoding: bytes[r], as: UTF8.self)
  }
}
