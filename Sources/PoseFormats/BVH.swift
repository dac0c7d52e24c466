// PoseFormats: BVH motion capture — HIERARCHY/MOTION parsing with line-numbered errors, units and forward
// kinematics.

import Foundation
import PoseCore

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// A problem with a BVH file: the path, the 1-based line (when the problem has one) and the reason.
public struct BVHError: Error, CustomStringConvertible, Equatable, Sendable {
  /// The file (or a label for in-memory text).
  public let path: String
  /// 1-based line number of the problem, nil for whole-file problems (unreadable, too large).
  public let line: Int?
  /// What is wrong.
  public let reason: String

  /// Creates an error.
  public init(path: String, line: Int?, reason: String) {
    self.path = path
    self.line = line
    self.reason = reason
  }

  public var description: String {
    if let line { return "BVH file \(path), line \(line): \(reason)" }
    return "BVH file \(path): \(reason)"
  }
}

/// One BVH channel.
public enum BVHChannel: String, Sendable, CaseIterable, Hashable {
  case xPosition = "Xposition"
  case yPosition = "Yposition"
  case zPosition = "Zposition"
  case xRotation = "Xrotation"
  case yRotation = "Yrotation"
  case zRotation = "Zrotation"

  /// True for rotation channels.
  public var isRotation: Bool { self == .xRotation || self == .yRotation || self == .zRotation }

  /// 0, 1 or 2 for the x, y or z axis.
  public var axis: Int {
    switch self {
    case .xPosition, .xRotation: return 0
    case .yPosition, .yRotation: return 1
    case .zPosition, .zRotation: return 2
    }
  }
}

/// A joint or End Site of a BVH hierarchy.
public struct BVHNode: Sendable, Hashable {
  /// Joint name; End Sites are named `<parent name>/End Site`.
  public let name: String
  /// Index of the parent node (nil for a ROOT). Parents always come before their children.
  public let parent: Int?
  /// OFFSET from the parent, in file units.
  public let offset: Vec3
  /// Channels in file order (empty for End Sites).
  public let channels: [BVHChannel]
  /// Column of this node's first channel in a frame's values.
  public let firstChannel: Int
  /// True for an End Site.
  public let isEndSite: Bool
  /// 1-based line of the ROOT/JOINT/End Site keyword.
  public let line: Int
}

/// Length unit of a BVH file, as metres per file unit.
public struct BVHUnit: Sendable, Hashable, CustomStringConvertible {
  /// Metres per file unit.
  public let metresPerUnit: Double

  /// A unit of `metresPerUnit` metres.
  public init(metresPerUnit: Double) { self.metresPerUnit = metresPerUnit }

  /// Centimetres (the Reallusion `cmu-iclone` conversion of `../shared/mocap`).
  public static let centimetre = BVHUnit(metresPerUnit: 0.01)
  /// CMU's BVH unit, 0.056444 m (the cgspeed conversions, e.g. `cmu-131`; the ASF/AMC length unit of
  /// 1/0.45 inch: 0.0254 / 0.45 = 0.056444 m).
  public static let cmu = BVHUnit(metresPerUnit: 0.056444)
  /// Metres.
  public static let metre = BVHUnit(metresPerUnit: 1)
  /// Millimetres.
  public static let millimetre = BVHUnit(metresPerUnit: 0.001)
  /// Inches.
  public static let inch = BVHUnit(metresPerUnit: 0.0254)

  public var description: String { "\(metresPerUnit) m per unit" }
}

/// Size caps checked before anything is allocated, so a corrupt header cannot exhaust memory.
public struct BVHLimits: Sendable, Hashable {
  /// Largest file read (bytes).
  public var maxFileBytes: Int = 1 << 30
  /// Most joints plus End Sites.
  public var maxNodes: Int = 10_000
  /// Most frames.
  public var maxFrames: Int = 10_000_000
  /// Most values (frames × channels) held in memory.
  public var maxValues: Int = 100_000_000

  /// The default limits.
  public init() {}
}

/// A parsed BVH file: the joint hierarchy and the motion values.
///
/// Conventions: rotation channels are in degrees and compose in the order listed, `R = R₁ · R₂ · R₃` for
/// `CHANNELS … Zrotation Xrotation Yrotation` = `Rz · Rx · Ry` (so the last listed is applied first to a
/// child's offset); position channels are added to the node's OFFSET (`t = OFFSET + (Xposition, Yposition,
/// Zposition)`); a node's world transform is its parent's composed with `(R, t)`.
public struct BVH: Sendable {
  /// The file the data came from (for messages).
  public let path: String
  /// Joints and End Sites in file order (parents first).
  public let nodes: [BVHNode]
  /// Values per frame.
  public let channelCount: Int
  /// Number of frames.
  public let frameCount: Int
  /// Seconds per frame.
  public let frameTime: Double
  /// All values, frame-major (`motion[f * channelCount + c]`).
  public let motion: [Double]

  /// Reads and parses the file at `path`.
  ///
  /// - Throws: `BVHError` when the file cannot be read, exceeds `limits.maxFileBytes` or is malformed.
  public static func read(path: String, limits: BVHLimits = BVHLimits()) throws -> BVH {
    let attributes: [FileAttributeKey: Any]
    do {
      attributes = try FileManager.default.attributesOfItem(atPath: path)
    } catch {
      throw BVHError(path: path, line: nil, reason: "cannot read file (does it exist?)")
    }
    if let size = attributes[.size] as? NSNumber, size.int64Value > Int64(limits.maxFileBytes) {
      throw BVHError(
        path: path, line: nil,
        reason: "file is \(size.int64Value) bytes, over the \(limits.maxFileBytes)-byte limit")
    }
    guard let data = FileManager.default.contents(atPath: path) else {
      throw BVHError(path: path, line: nil, reason: "cannot read file")
    }
    guard data.count <= limits.maxFileBytes else {
      throw BVHError(path: path, line: nil, reason: "file is over the \(limits.maxFileBytes)-byte limit")
    }
    return try BVH(bytes: [UInt8](data), path: path, limits: limits)
  }

  /// Parses BVH text; `path` is used in error messages.
  public init(text: String, path: String = "(in memory)", limits: BVHLimits = BVHLimits()) throws {
    try self.init(bytes: Array(text.utf8), path: path, limits: limits)
  }

  /// Parses BVH bytes (ASCII/UTF-8, LF or CRLF line ends); `path` is used in error messages.
  public init(bytes: [UInt8], path: String = "(in memory)", limits: BVHLimits = BVHLimits()) throws {
    var parser = BVHParser(bytes: bytes, path: path, limits: limits)
    let result = try parser.parse()
    self.path = path
    nodes = result.nodes
    channelCount = result.channelCount
    frameCount = result.frameCount
    frameTime = result.frameTime
    motion = result.motion
  }

  /// Index of the joint (or End Site, `<parent>/End Site`) named `name`.
  public func index(of name: String) -> Int? { nodes.firstIndex { $0.name == name } }

  /// Index of the first End Site under the joint named `jointName`.
  public func endSite(of jointName: String) -> Int? {
    guard let j = index(of: jointName) else { return nil }
    return nodes.firstIndex { $0.isEndSite && $0.parent == j }
  }

  /// The values of frame `frame`.
  public func values(frame: Int) -> ArraySlice<Double> {
    precondition(frame >= 0 && frame < frameCount, "BVH frame \(frame) out of range 0..<\(frameCount)")
    return motion[(frame * channelCount)..<((frame + 1) * channelCount)]
  }

  /// The nodes needed to place `targets`: the targets and all their ancestors, as a mask over `nodes`.
  public func ancestorMask(of targets: [Int]) -> [Bool] {
    var mask = [Bool](repeating: false, count: nodes.count)
    for t in targets {
      var current: Int? = t
      while let c = current, nodes.indices.contains(c), !mask[c] {
        mask[c] = true
        current = nodes[c].parent
      }
    }
    return mask
  }

  /// World positions and rotations of frame `frame`, positions scaled to metres by `unit`.
  ///
  /// With `mask` (from `ancestorMask(of:)`), only masked nodes are computed; the others are left at zero
  /// position and identity rotation.
  public func worldTransforms(frame: Int, unit: BVHUnit = .metre, mask: [Bool]? = nil) -> (
    positions: [Vec3], rotations: [Mat3]
  ) {
    let values = self.values(frame: frame)
    let base = values.startIndex
    var positions = [Vec3](repeating: .zero, count: nodes.count)
    var rotations = [Mat3](repeating: .identity, count: nodes.count)
    let s = unit.metresPerUnit
    for (i, node) in nodes.enumerated() {
      if let mask, !mask[i] { continue }
      var translation = node.offset
      var rotation = Mat3.identity
      for (k, channel) in node.channels.enumerated() {
        let v = values[base + node.firstChannel + k]
        if channel.isRotation {
          rotation = rotation * Self.axisRotation(channel.axis, degrees: v)
        } else {
          translation[channel.axis] += v
        }
      }
      if let p = node.parent {
        positions[i] = positions[p] + rotations[p] * (s * translation)
        rotations[i] = rotations[p] * rotation
      } else {
        positions[i] = s * translation
        rotations[i] = rotation
      }
    }
    return (positions, rotations)
  }

  /// Rotation by `degrees` about axis 0 (x), 1 (y) or 2 (z), right-handed.
  public static func axisRotation(_ axis: Int, degrees: Double) -> Mat3 {
    let a = degrees * .pi / 180
    let c = cos(a)
    let s = sin(a)
    switch axis {
    case 0: return Mat3(rows: Vec3(1, 0, 0), Vec3(0, c, -s), Vec3(0, s, c))
    case 1: return Mat3(rows: Vec3(c, 0, s), Vec3(0, 1, 0), Vec3(-s, 0, c))
    default: return Mat3(rows: Vec3(c, -s, 0), Vec3(s, c, 0), Vec3(0, 0, 1))
    }
  }
}

/// The BVH tokenizer and parser (one pass, iterative, every size checked against `BVHLimits`).
private struct BVHParser {
  let bytes: [UInt8]  // the file plus a terminating 0 for strtod
  let path: String
  let limits: BVHLimits
  var position = 0
  var line = 1
  /// Number of the file's last line (for errors at the end of the file).
  let lastLine: Int

  init(bytes: [UInt8], path: String, limits: BVHLimits) {
    var b = bytes
    b.append(0)
    self.bytes = b
    self.path = path
    self.limits = limits
    let newlines = bytes.reduce(0) { $0 + ($1 == 0x0A ? 1 : 0) }
    lastLine = max(1, bytes.last == 0x0A ? newlines : newlines + 1)
  }

  struct Token {
    let start: Int
    let end: Int
    let line: Int
  }

  struct Result {
    var nodes: [BVHNode]
    var channelCount: Int
    var frameCount: Int
    var frameTime: Double
    var motion: [Double]
  }

  func fail(_ reason: String, line: Int?) -> BVHError { BVHError(path: path, line: line, reason: reason) }

  @inline(__always)
  static func isSpace(_ c: UInt8) -> Bool { c == 0x20 || c == 0x09 || c == 0x0D || c == 0x0B || c == 0x0C }

  var atEnd: Bool { position >= bytes.count - 1 }

  /// The next whitespace-separated token, or nil at the end of the file.
  mutating func nextToken() -> Token? {
    while !atEnd {
      let c = bytes[position]
      if c == 0x0A {
        line += 1
        position += 1
      } else if Self.isSpace(c) {
        position += 1
      } else {
        break
      }
    }
    guard !atEnd else { return nil }
    let start = position
    while !atEnd, bytes[position] != 0x0A, !Self.isSpace(bytes[position]), bytes[position] != 0 {
      position += 1
    }
    if position == start {  // a NUL byte inside the file
      position += 1
      return Token(start: start, end: start + 1, line: line)
    }
    return Token(start: start, end: position, line: line)
  }

  /// The remaining tokens of the current line.
  mutating func restOfLine() -> [Token] {
    var tokens: [Token] = []
    while !atEnd {
      let c = bytes[position]
      if c == 0x0A { break }
      if Self.isSpace(c) {
        position += 1
        continue
      }
      guard let t = nextToken() else { break }
      tokens.append(t)
    }
    return tokens
  }

  func text(_ t: Token) -> String {
    String(decoding: bytes[t.start..<t.end], as: UTF8.self)
  }

  func shown(_ t: Token) -> String {
    let s = text(t)
    return s.count > 40 ? "'\(s.prefix(40))…'" : "'\(s)'"
  }

  func number(_ t: Token, what: String) throws -> Double {
    let value: Double? = bytes.withUnsafeBufferPointer { buffer -> Double? in
      guard let base = buffer.baseAddress else { return nil }
      let start = UnsafeRawPointer(base + t.start).assumingMemoryBound(to: CChar.self)
      var end: UnsafeMutablePointer<CChar>? = nil
      let v = strtod(start, &end)
      guard let end, UnsafeRawPointer(end) == UnsafeRawPointer(base + t.end) else { return nil }
      return v
    }
    guard let value else { throw fail("\(what) \(shown(t)) is not a number", line: t.line) }
    guard value.isFinite else {
      throw fail("\(what) \(shown(t)) is not finite (NaN or infinity)", line: t.line)
    }
    return value
  }

  func integer(_ t: Token, what: String) throws -> Int {
    let s = text(t)
    guard !s.isEmpty, s.utf8.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }) else {
      throw fail("\(what) \(shown(t)) is not a non-negative integer", line: t.line)
    }
    guard let v = Int(s) else { throw fail("\(what) \(shown(t)) is too large", line: t.line) }
    return v
  }

  struct Building {
    var name: String
    var parent: Int?
    var offset: Vec3?
    var channels: [BVHChannel]?
    var isEndSite: Bool
    var line: Int
    var opened = false
    var index: Int
  }

  mutating func parse() throws -> Result {
    // Skip a UTF-8 byte-order mark.
    if bytes.count >= 4, bytes[0] == 0xEF, bytes[1] == 0xBB, bytes[2] == 0xBF { position = 3 }
    guard let first = nextToken() else { throw fail("file is empty", line: nil) }
    guard text(first) == "HIERARCHY" else {
      throw fail("expected 'HIERARCHY' at the start, found \(shown(first))", line: first.line)
    }
    var nodes: [BVHNode?] = []
    var stack: [Building] = []
    var channelCount = 0
    var sawMotion = false
    var names = Set<String>()

    func begin(_ name: String, parent: Int?, isEndSite: Bool, line: Int) throws {
      guard nodes.count < limits.maxNodes else {
        throw fail("more than \(limits.maxNodes) joints and End Sites", line: line)
      }
      stack.append(
        Building(name: name, parent: parent, isEndSite: isEndSite, line: line, index: nodes.count))
      nodes.append(nil)
    }

    while let t = nextToken() {
      let word = text(t)
      if let top = stack.last, !top.opened, word != "{" {
        throw fail("expected '{' after '\(top.name)', found \(shown(t))", line: t.line)
      }
      switch word {
      case "ROOT", "JOINT":
        if word == "ROOT" && !stack.isEmpty {
          throw fail("ROOT inside another joint (missing '}'?)", line: t.line)
        }
        if word == "JOINT" {
          guard let top = stack.last else { throw fail("JOINT outside a ROOT", line: t.line) }
          if top.isEndSite { throw fail("End Site of '\(top.name)' cannot have children", line: t.line) }
        }
        var rest = restOfLine()
        var opensBrace = false
        if let last = rest.last, text(last) == "{" {
          opensBrace = true
          rest.removeLast()
        }
        guard !rest.isEmpty else { throw fail("\(word) without a name", line: t.line) }
        let name = rest.map { text($0) }.joined(separator: " ")
        guard names.insert(name).inserted else {
          throw fail("joint name '\(name)' is used twice", line: t.line)
        }
        try begin(name, parent: stack.last?.index, isEndSite: false, line: t.line)
        if opensBrace { stack[stack.count - 1].opened = true }
      case "End":
        guard let site = nextToken(), text(site) == "Site" else {
          throw fail("expected 'End Site'", line: t.line)
        }
        guard let top = stack.last, !top.isEndSite else {
          throw fail("End Site outside a joint", line: t.line)
        }
        try begin("\(top.name)/End Site", parent: top.index, isEndSite: true, line: t.line)
      case "{":
        guard let top = stack.last, !top.opened else { throw fail("unexpected '{'", line: t.line) }
        stack[stack.count - 1].opened = true
      case "OFFSET":
        guard let top = stack.last else { throw fail("OFFSET outside a joint", line: t.line) }
        guard top.offset == nil else { throw fail("second OFFSET in '\(top.name)'", line: t.line) }
        var v = Vec3.zero
        for a in 0..<3 {
          guard let n = nextToken(), n.line == t.line else {
            throw fail("OFFSET of '\(top.name)' needs 3 numbers", line: t.line)
          }
          v[a] = try number(n, what: "OFFSET value")
        }
        let extra = restOfLine()
        if let e = extra.first { throw fail("OFFSET has more than 3 values (\(shown(e)))", line: e.line) }
        stack[stack.count - 1].offset = v
      case "CHANNELS":
        guard let top = stack.last else { throw fail("CHANNELS outside a joint", line: t.line) }
        if top.isEndSite { throw fail("an End Site cannot have CHANNELS", line: t.line) }
        guard top.channels == nil else { throw fail("second CHANNELS in '\(top.name)'", line: t.line) }
        guard let countToken = nextToken(), countToken.line == t.line else {
          throw fail("CHANNELS needs a count", line: t.line)
        }
        let count = try integer(countToken, what: "CHANNELS count")
        guard count <= 6 else { throw fail("CHANNELS count \(count) is more than 6", line: t.line) }
        let names = restOfLine()
        guard names.count == count else {
          throw fail(
            "CHANNELS says \(count) channels but lists \(names.count) for '\(top.name)'", line: t.line)
        }
        var channels: [BVHChannel] = []
        for n in names {
          guard let c = BVHChannel(rawValue: text(n)) else {
            throw fail(
              "unknown channel \(shown(n)) (expected Xposition, Yposition, Zposition, Xrotation, Yrotation or "
                + "Zrotation)", line: n.line)
          }
          guard !channels.contains(c) else { throw fail("channel \(c.rawValue) listed twice", line: n.line) }
          channels.append(c)
        }
        stack[stack.count - 1].channels = channels
      case "}":
        guard let top = stack.popLast() else { throw fail("unmatched '}'", line: t.line) }
        guard let offset = top.offset else { throw fail("'\(top.name)' has no OFFSET", line: top.line) }
        if !top.isEndSite && top.channels == nil {
          throw fail("joint '\(top.name)' has no CHANNELS line", line: top.line)
        }
        let channels = top.channels ?? []
        nodes[top.index] = BVHNode(
          name: top.name, parent: top.parent, offset: offset, channels: channels,
          firstChannel: 0, isEndSite: top.isEndSite, line: top.line)
      case "MOTION":
        if let top = stack.last {
          throw fail("MOTION before '\(top.name)' is closed (missing '}')", line: t.line)
        }
        guard !nodes.isEmpty else { throw fail("HIERARCHY has no ROOT", line: t.line) }
        sawMotion = true
      default:
        throw fail("unexpected \(shown(t)) in HIERARCHY", line: t.line)
      }
      if sawMotion { break }
    }
    guard sawMotion else {
      if let top = stack.last {
        throw fail("file ends inside '\(top.name)' (missing '}' and MOTION)", line: lastLine)
      }
      throw fail("file ends before MOTION", line: lastLine)
    }
    // Channel columns in file order (the order the nodes were opened, which is the motion order).
    var finished: [BVHNode] = []
    for node in nodes {
      guard let node else { throw fail("internal: unfinished node", line: nil) }
      finished.append(
        BVHNode(
          name: node.name, parent: node.parent, offset: node.offset, channels: node.channels,
          firstChannel: channelCount, isEndSite: node.isEndSite, line: node.line))
      channelCount += node.channels.count
    }
    guard channelCount > 0 else { throw fail("the HIERARCHY declares no channels", line: nil) }

    // MOTION header.
    guard let framesToken = nextToken() else {
      throw fail("MOTION is truncated: no 'Frames:' line", line: lastLine)
    }
    var framesWord = text(framesToken)
    if framesWord == "Frames", let colon = nextToken(), text(colon) == ":" { framesWord = "Frames:" }
    guard framesWord == "Frames:" else {
      throw fail("expected 'Frames:' after MOTION, found \(shown(framesToken))", line: framesToken.line)
    }
    guard let countToken = nextToken() else { throw fail("'Frames:' needs a count", line: framesToken.line) }
    let frameCount = try integer(countToken, what: "Frames")
    guard frameCount <= limits.maxFrames else {
      throw fail("Frames: \(frameCount) exceeds the limit of \(limits.maxFrames)", line: countToken.line)
    }
    let (valueCount, overflow) = frameCount.multipliedReportingOverflow(by: channelCount)
    guard !overflow, valueCount <= limits.maxValues else {
      throw fail(
        "Frames: \(frameCount) × \(channelCount) channels exceeds the limit of \(limits.maxValues) values",
        line: countToken.line)
    }
    guard let frameWord = nextToken(), text(frameWord) == "Frame" else {
      throw fail("expected 'Frame Time:' after the frame count", line: line)
    }
    guard let timeWord = nextToken(), text(timeWord) == "Time:" || text(timeWord) == "Time" else {
      throw fail("expected 'Frame Time:'", line: frameWord.line)
    }
    if text(timeWord) == "Time" {
      guard let colon = nextToken(), text(colon) == ":" else {
        throw fail("expected 'Frame Time:'", line: timeWord.line)
      }
    }
    guard let timeToken = nextToken(), timeToken.line == timeWord.line else {
      throw fail("'Frame Time:' needs a value", line: timeWord.line)
    }
    let frameTime = try number(timeToken, what: "Frame Time")
    guard frameTime > 0 else { throw fail("Frame Time \(frameTime) must be positive", line: timeToken.line) }
    if let extra = restOfLine().first {
      throw fail("unexpected \(shown(extra)) after Frame Time", line: extra.line)
    }

    // Frame lines: exactly channelCount numbers each; blank lines are skipped.
    var motion = [Double]()
    // Every value takes at least 2 bytes with its separator, so the file bounds the real count.
    motion.reserveCapacity(min(valueCount, (bytes.count - position) / 2 + 1))
    var frames = 0
    var lastDataLine = line
    while true {
      // Move to the start of the next line.
      while !atEnd && bytes[position] != 0x0A { position += 1 }
      guard !atEnd else { break }
      position += 1
      line += 1
      let tokens = restOfLine()
      if tokens.isEmpty { continue }
      guard frames < frameCount else {
        throw fail("more frame lines than 'Frames: \(frameCount)' (extra data starts here)", line: line)
      }
      guard tokens.count == channelCount else {
        throw fail(
          "frame \(frames + 1) has \(tokens.count) values, the HIERARCHY declares \(channelCount) channels",
          line: line)
      }
      for t in tokens { motion.append(try number(t, what: "value")) }
      frames += 1
      lastDataLine = line
    }
    guard frames == frameCount else {
      throw fail(
        "MOTION is truncated: 'Frames: \(frameCount)' but the data ends after \(frames) frames",
        line: lastDataLine)
    }
    return Result(
      nodes: finished, channelCount: channelCount, frameCount: frameCount, frameTime: frameTime,
      motion: motion)
  }
}
