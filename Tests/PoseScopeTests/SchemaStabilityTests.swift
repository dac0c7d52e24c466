// PoseEstimationTests: golden checks that the estimate document's JSON keys (with value types) and its CSV
// columns (schema 1) do not change by accident.
//
// The goldens are Fixtures/schema1_json_keys.txt and Fixtures/schema1_csv_header.txt. A deliberate schema
// change must update them (and docs/FORMATS.md): run the tests once with POSESCOPE_UPDATE_GOLDEN=1, which
// rewrites both files in the source tree, and review the diff.

import Foundation
import PoseScope
import PoseScopeTestSupport
import Testing

@testable import PoseFormats

@Suite struct SchemaStabilityTests {
  /// A document with every optional field filled: a tracked frame with a person, lifted and consistent
  /// joints, a frame without a person, a failure, a subject record and a folder record.
  static func fullDocument() -> EstimateDocument {
    var seen = PoseFrame(width: 400, height: 300, result: FrameRecordTests().result()).record(
      file: "clip.mp4", sequence: "clip.mp4", frame: 0, time: 0)
    var joints = [Vec3](repeating: .zero, count: H36M17.count)
    for (k, bone) in H36M17.bones.enumerated() {
      joints[bone.child] = joints[bone.parent] + Vec3(0, 0.1, 0.01 * Double(k))
    }
    seen.attachLifted(joints)
    seen.attachConsistent(joints, source: "lifted")
    let empty = PoseFrame(width: 400, height: 300, result: nil).record(
      file: "clip.mp4", sequence: "clip.mp4", frame: 1, time: 1.0 / 30)
    var doc = EstimateDocument(
      frames: [seen, empty], failures: [FrameFailure(file: "clip.mp4#2", error: "truncated")])
    doc.subjects = [
      SubjectRecord(
        sequence: "clip.mp4", lengths: [Double](repeating: 0.3, count: 16),
        lengthsSource: "estimated from 1 frames",
        source: "lifted", method: "projection", smoothed: false)
    ]
    doc.folders = [FolderRecord(path: "photos", frames: 4, taken: "images", reason: "not numbered frames")]
    return doc
  }

  /// Every key path of a JSON value with the type found there (`frames[].score: number`), sorted, unique.
  static func keyPaths(_ value: JSONValue, prefix: String = "") -> Set<String> {
    var out = Set<String>()
    switch value {
    case .object(let object):
      for (key, child) in object {
        let path = prefix.isEmpty ? key : prefix + "." + key
        out.insert("\(path): \(typeName(child))")
        out.formUnion(keyPaths(child, prefix: path))
      }
    case .array(let items):
      for item in items {
        if case .object = item { out.formUnion(keyPaths(item, prefix: prefix + "[]")) }
      }
    default: break
    }
    return out
  }

  static func typeName(_ value: JSONValue) -> String {
    switch value {
    case .object: return "object"
    case .array(let items):
      if items.allSatisfy({ if case .array = $0 { return true } else { return false } }) {
        return "array of arrays"
      }
      if items.allSatisfy({ if case .object = $0 { return true } else { return false } }) {
        return "array of objects"
      }
      return "array"
    case .string: return "string"
    case .bool: return "boolean"
    case .int, .double: return "number"
    case .null: return "null"
    }
  }

  /// The golden file's path in the source tree.
  static func goldenPath(_ name: String) -> String {
    URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures/\(name)")
      .path
  }

  /// Compares `lines` with the golden `name` (or rewrites it with POSESCOPE_UPDATE_GOLDEN=1).
  static func expectGolden(_ lines: [String], _ name: String) throws {
    let text = lines.joined(separator: "\n") + "\n"
    let path = goldenPath(name)
    if ProcessInfo.processInfo.environment["POSESCOPE_UPDATE_GOLDEN"] == "1" {
      try text.write(toFile: path, atomically: true, encoding: .utf8)
      return
    }
    let golden = try String(contentsOfFile: try Fixtures.path(name), encoding: .utf8)
    let want = golden.split(separator: "\n").map(String.init)
    let added = lines.filter { !want.contains($0) }
    let removed = want.filter { !lines.contains($0) }
    if lines != want {
      let order = added.isEmpty && removed.isEmpty ? ", reordered" : ""
      Issue.record(
        """
        \(name) changed (added: \(added), removed: \(removed)\(order)). \
        If deliberate, rerun with POSESCOPE_UPDATE_GOLDEN=1 and update docs/FORMATS.md.
        """)
    }
  }

  @Test func jsonKeysAndTypesMatchTheGolden() throws {
    let data = try Self.fullDocument().json()
    let paths = Self.keyPaths(try JSONDecoder().decode(JSONValue.self, from: data)).sorted()
    #expect(paths.contains("frames[].lifted_h36m17: array of arrays"))
    try Self.expectGolden(paths, "schema1_json_keys.txt")
  }

  @Test func csvHeaderMatchesTheGolden() throws {
    try Self.expectGolden(EstimateDocument.csvHeader, "schema1_csv_header.txt")
    // The header the writer prints is the documented one, and every row has as many cells.
    let csv = Self.fullDocument().csv()
    let lines = csv.split(separator: "\n").map(String.init)
    #expect(lines.first == EstimateDocument.csvHeader.joined(separator: ","))
    #expect(
      lines.dropFirst().allSatisfy { $0.split(separator: ",", omittingEmptySubsequences: false).count == 306 }
    )
  }

  @Test func schemaVersionIsOne() throws {
    let object = try JSONSerialization.jsonObject(with: try Self.fullDocument().json()) as? [String: Any]
    #expect(object?["schema"] as? Int == 1)
    #expect(EstimateDocument.csvHeader.count == 306)
  }
}
