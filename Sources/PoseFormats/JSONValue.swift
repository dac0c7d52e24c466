// PoseFormats: a parsed JSON value — numbers, booleans and null kept apart (no Foundation bridging) — for
// strict readers and for printing documents in PoseScope's layout.

import Foundation

/// A parsed JSON value: integers and other numbers stay apart, so `1` prints as `1`.
enum JSONValue: Decodable, Equatable {
  case null, bool(Bool), int(Int), double(Double), string(String), array([JSONValue])
  case object([String: JSONValue])

  init(from decoder: Decoder) throws {
    if var a = try? decoder.unkeyedContainer() {
      var items: [JSONValue] = []
      while !a.isAtEnd { items.append(try a.decode(JSONValue.self)) }
      self = .array(items)
      return
    }
    if let o = try? decoder.container(keyedBy: AnyKey.self) {
      var d: [String: JSONValue] = [:]
      for k in o.allKeys { d[k.stringValue] = try o.decode(JSONValue.self, forKey: k) }
      self = .object(d)
      return
    }
    let c = try decoder.singleValueContainer()
    if c.decodeNil() {
      self = .null
    } else if let b = try? c.decode(Bool.self) {
      self = .bool(b)
    } else if let i = try? c.decode(Int.self) {
      self = .int(i)
    } else if let d = try? c.decode(Double.self) {
      self = .double(d)
    } else {
      self = .string(try c.decode(String.self))
    }
  }

  /// The value of a number (integer or not), nil for anything else.
  var number: Double? {
    switch self {
    case .int(let i): return Double(i)
    case .double(let d): return d
    default: return nil
    }
  }

  struct AnyKey: CodingKey {
    var stringValue: String
    var intValue: Int? { nil }
    init(stringValue: String) { self.stringValue = stringValue }
    init?(intValue: Int) { nil }
  }

  /// True for a number, or an array (of arrays) of scalars: printed on one line.
  var isFlat: Bool {
    switch self {
    case .object: return false
    case .array(let items):
      return items.allSatisfy { if case .object = $0 { return false } else { return $0.isFlat } }
    default: return true
    }
  }

  func write(to out: inout String, indent: Int) {
    let pad = String(repeating: "  ", count: indent + 1)
    switch self {
    case .null: out += "null"
    case .bool(let b): out += b ? "true" : "false"
    case .int(let i): out += String(i)
    case .double(let d): out += d.isFinite ? "\(d)" : "null"
    case .string(let s):
      let data = (try? JSONEncoder().encode(s)) ?? Data("\"\"".utf8)
      out += String(decoding: data, as: UTF8.self).replacingOccurrences(of: "\\/", with: "/")
    case .array(let items):
      if items.isEmpty {
        out += "[]"
      } else if isFlat {
        out += "["
        for (i, v) in items.enumerated() {
          if i > 0 { out += ", " }
          v.write(to: &out, indent: indent)
        }
        out += "]"
      } else {
        out += "[\n"
        for (i, v) in items.enumerated() {
          out += pad
          v.write(to: &out, indent: indent + 1)
          out += i + 1 < items.count ? ",\n" : "\n"
        }
        out += String(repeating: "  ", count: indent) + "]"
      }
    case .object(let d):
      if d.isEmpty {
        out += "{}"
        return
      }
      if d.count <= 4, d.values.allSatisfy({ if case .array = $0 { return false } else { return $0.isFlat } })
      {
        out += "{"
        for (i, k) in d.keys.sorted().enumerated() {
          if i > 0 { out += ", " }
          JSONValue.string(k).write(to: &out, indent: indent)
          out += ": "
          d[k]!.write(to: &out, indent: indent)
        }
        out += "}"
        return
      }
      out += "{\n"
      let keys = d.keys.sorted()
      for (i, k) in keys.enumerated() {
        out += pad
        JSONValue.string(k).write(to: &out, indent: indent + 1)
        out += ": "
        d[k]!.write(to: &out, indent: indent + 1)
        out += i + 1 < keys.count ? ",\n" : "\n"
      }
      out += String(repeating: "  ", count: indent) + "}"
    }
  }
}
