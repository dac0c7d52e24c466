// PoseFormats: subject bone-length files — the JSON layouts `--bone-lengths` reads (a unit and bone → length
// object, a plain object, or the `bone_lengths` array `estimate` writes), checked strictly.

import FileSupport
import Foundation
import PoseCore

extension SubjectBoneLengths {
  /// Reads H36M-17 bone lengths (metres) from a JSON file.
  ///
  /// Accepted layouts: an object `{"unit": "m" | "mm" | "cm", "bones": {"right_upper_leg": 0.43, …}}`
  /// (unit defaults to metres), a plain object of bone name → metres, or the `bone_lengths` /
  /// array `[{"name": …, "length_m": …}, …]` that `posescope estimate` writes (bare, under
  /// `"bone_lengths"`, or as the single subject of an estimate document's `"subjects"`). Every one of the 16 bones must be present,
  /// positive and below 2 m; unknown names are errors (a misspelt bone must not be silently ignored).
  ///
  /// - Throws: `BoneLengthFileError` naming the path and what is wrong.
  public static func read(path: String, skeleton: Skeleton = H36M17.skeleton) throws -> SubjectBoneLengths {
    func fail(_ reason: String) -> BoneLengthFileError { BoneLengthFileError(path: path, reason: reason) }
    let data: Data
    do {
      data = Data(try BoundedRead.bytes(path, limit: 64 << 20))
    } catch {
      switch error {
      case .notFound:
        // A symbolic link that does not resolve (a missing target) is there but cannot be read.
        let isLink = (try? FileManager.default.destinationOfSymbolicLink(atPath: path)) != nil
        throw fail(isLink ? "cannot read it (a symbolic link to nothing)" : "no such file")
      case .isDirectory: throw fail("is a folder, not a JSON file")
      case .notRegularFile: throw fail("cannot read it (not a regular file)")
      case .tooLarge: throw fail("larger than 64 MiB")
      case .unreadable(let reason, _): throw fail("cannot read it (\(reason))")
      }
    }
    let object: Any
    do {
      object = try JSONSerialization.jsonObject(with: data, options: [.fragmentsAllowed])
    } catch {
      throw fail("not valid JSON")
    }
    var named: [String: Double] = [:]
    var scale = 1.0
    func takeArray(_ array: [Any]) throws {
      for item in array {
        guard let entry = item as? [String: Any], let name = entry["name"] as? String,
          let value = entry["length_m"] as? NSNumber
        else { throw fail("each entry of the bone array needs \"name\" and \"length_m\"") }
        named[name] = value.doubleValue
      }
    }
    if let array = object as? [Any] {
      try takeArray(array)
    } else if let dict = object as? [String: Any] {
      if let array = dict["bone_lengths"] as? [Any] {
        try takeArray(array)
      } else if let subjects = dict["subjects"] as? [Any] {
        guard subjects.count == 1, let subject = subjects[0] as? [String: Any],
          let array = subject["bone_lengths"] as? [Any]
        else {
          throw fail(
            "an estimate document's \"subjects\" must hold exactly one subject with \"bone_lengths\" "
              + "(it has \(subjects.count)); save the one you want as its own file")
        }
        try takeArray(array)
      } else if let bones = dict["bones"] as? [String: Any] {
        switch (dict["unit"] as? String) ?? "m" {
        case "m": scale = 1
        case "cm": scale = 0.01
        case "mm": scale = 0.001
        case let other: throw fail("unit \"\(other)\" is not one of m, cm, mm")
        }
        for (name, value) in bones {
          guard let number = value as? NSNumber else { throw fail("bone \(name) is not a number") }
          named[name] = number.doubleValue
        }
      } else {
        for (name, value) in dict {
          guard let number = value as? NSNumber else {
            throw fail("expected bone name → length (m), but \"\(name)\" is not a number")
          }
          named[name] = number.doubleValue
        }
      }
    } else {
      throw fail("expected a JSON object or array of bone lengths")
    }
    let names = skeleton.bones.map(\.name)
    if let unknown = named.keys.sorted().first(where: { !names.contains($0) }) {
      throw fail("unknown bone \"\(unknown)\" (bones: \(names.joined(separator: ", ")))")
    }
    var lengths: [Double] = []
    for name in names {
      guard let value = named[name] else { throw fail("bone \(name) is missing") }
      let metres = value * scale
      guard metres.isFinite, metres > 0, metres < 2 else {
        throw fail("bone \(name) has length \(value) (must be > 0 and < 2 m)")
      }
      lengths.append(metres)
    }
    return SubjectBoneLengths(
      lengths: lengths, source: "file \(URL(fileURLWithPath: path).lastPathComponent)")
  }
}
