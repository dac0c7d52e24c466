// PoseFormatsTests: subject bone-length files in every layout `--bone-lengths` reads, and their errors.
import Foundation
import PoseCore
import PoseFormats
import PoseScopeTestSupport
import Testing

@Test func boneLengthFilesInEveryLayoutAndTheirErrors() throws {
  let dir = try TestFiles.makeTemporaryFolderURL("bones")
  defer { try? FileManager.default.removeItem(at: dir) }
  func write(_ name: String, _ text: String) throws -> String {
    let path = dir.appendingPathComponent(name).path
    try TestFiles.write(text, to: path)
    return path
  }
  let names = H36M17.boneNames
  let truth = names.indices.map { 0.1 + 0.021 * Double($0) }  // 16 distinct lengths (m)
  let plain = "{" + zip(names, truth).map { "\"\($0)\": \($1)" }.joined(separator: ", ") + "}"
  let mm =
    "{\"unit\": \"mm\", \"bones\": {"
    + zip(names, truth).map { "\"\($0)\": \($1 * 1000)" }
    .joined(separator: ", ") + "}}"
  let array =
    "["
    + zip(names, truth).map { "{\"name\": \"\($0)\", \"length_m\": \($1)}" }
    .joined(separator: ", ") + "]"
  let document =
    "{\"schema\": 1, \"frames\": [], \"subjects\": [{\"sequence\": \"a\", \"bone_lengths\": \(array)}]}"
  for (file, text) in [("plain.json", plain), ("mm.json", mm), ("array.json", array), ("doc.json", document)]
  {
    let read = try SubjectBoneLengths.read(path: write(file, text))
    for k in 0..<16 { #expect(abs(read.lengths[k] - truth[k]) < 1e-9, "\(file) \(names[k])") }
    #expect(read.source == "file \(file)")
  }

  func message(_ text: String) -> String {
    do {
      _ = try SubjectBoneLengths.read(path: write("bad.json", text))
      return "no error"
    } catch let e as BoneLengthFileError {
      return e.description
    } catch {
      return "other error \(error)"
    }
  }
  #expect(message("not json").contains("not valid JSON"))
  #expect(message("{\"right_upper_leg\": 0.4}").contains("is missing"))
  #expect(
    message(plain.replacingOccurrences(of: "right_upper_leg", with: "right_upper_lg")).contains(
      "unknown bone"))
  #expect(
    message(plain.replacingOccurrences(of: "\"head\": ", with: "\"head\": -")).contains(
      "bone head has length"))
  #expect(message("{\"unit\": \"inch\", \"bones\": {}}").contains("unit"))
  #expect(message("{\"head\": \"long\"}").contains("not a number"))
  #expect(message("42").contains("expected a JSON object"))
  #expect(message("[{\"name\": \"head\"}]").contains("length_m"))
  let missing = dir.appendingPathComponent("nope.json").path
  #expect(throws: BoneLengthFileError.self) { try SubjectBoneLengths.read(path: missing) }
  do {
    _ = try SubjectBoneLengths.read(path: missing)
  } catch let e as BoneLengthFileError {
    #expect(e.description == "bone lengths \(missing): no such file")
  }
  do {
    _ = try SubjectBoneLengths.read(path: dir.path)
    Issue.record("a folder was read as bone lengths")
  } catch let e as BoneLengthFileError {
    #expect(e.reason == "is a folder, not a JSON file")
  }
}
