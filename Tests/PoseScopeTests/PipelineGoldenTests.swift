// PoseScopeTests: the pipeline golden test — today's `Pipeline` on the fetched samples gives the records the
// pre-redesign build wrote (Fixtures/pipeline_golden.json), field for field; a folder of photos gives each
// photo its single-image result; one call estimates a file.
import Foundation
import PoseScopeTestSupport
import Testing

@testable import PoseScope

/// The golden records, as parsed JSON objects.
private struct Golden {
  var images: [String: [String: Any]]
  var sequence: [[String: Any]]

  static func load() throws -> Golden {
    let data = try Data(contentsOf: URL(fileURLWithPath: try Fixtures.path("pipeline_golden.json")))
    let root = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
    return Golden(
      images: try #require(root["images"] as? [String: [String: Any]]),
      sequence: try #require(root["sports2d_first8"] as? [[String: Any]]))
  }
}

/// The record as the JSON object `estimate` writes.
private func object(_ record: FrameRecord) throws -> [String: Any] {
  let document = EstimateDocument(frames: [record], failures: [])
  let root = try #require(try JSONSerialization.jsonObject(with: try document.json()) as? [String: Any])
  return try #require((root["frames"] as? [[String: Any]])?.first)
}

/// Every difference between two records (paths compared by file name; the lifter's fields skipped, as
/// these runs have no lifter).
private func differences(_ a: Any, _ b: Any, at path: String = "") -> [String] {
  switch (a, b) {
  case (let x as [String: Any], let y as [String: Any]):
    let keys = Set(x.keys).union(y.keys).subtracting(["lifted_h36m17", "lifted_bone_lengths"])
    return keys.sorted().flatMap { k -> [String] in
      guard let xv = x[k], let yv = y[k] else { return ["\(path)/\(k) only on one side"] }
      if k == "file" || k == "sequence", let xs = xv as? String, let ys = yv as? String {
        return (xs as NSString).lastPathComponent == (ys as NSString).lastPathComponent
          ? [] : ["\(path)/\(k): \(xs) vs \(ys)"]
      }
      return differences(xv, yv, at: path + "/" + k)
    }
  case (let x as [Any], let y as [Any]):
    guard x.count == y.count else { return ["\(path): \(x.count) vs \(y.count) values"] }
    return zip(x, y).enumerated().flatMap { differences($1.0, $1.1, at: "\(path)[\($0)]") }
  case (let x as NSNumber, let y as NSNumber):
    return x.doubleValue == y.doubleValue ? [] : ["\(path): \(x) vs \(y)"]
  default:
    return "\(a)" == "\(b)" ? [] : ["\(path): \(a) vs \(b)"]
  }
}

@Suite(.serialized) struct PipelineGoldenTests {
  let images = TestAssets.samplesDirectory + "/images"

  @Test func singleImagesMatchThePreRedesignRecords() throws {
    let golden = try Golden.load()
    let pipeline = try Pipeline()
    let run = pipeline.run(["bus.jpg", "zidane.jpg"].map { images + "/" + $0 })
    #expect(run.failures.isEmpty && run.frames.count == 2)
    for frame in run.frames {
      let name = (frame.file as NSString).lastPathComponent
      let expected = try #require(golden.images[name])
      let diff = differences(try object(frame.record), expected)
      #expect(diff.isEmpty, "\(name): \(diff.prefix(5))")
    }
  }

  @Test func aTrackedFolderMatchesThePreRedesignRecords() throws {
    let golden = try Golden.load()
    // The first 8 Sports2D frames in a folder of their own: tracking is causal, so the records are those
    // of the whole folder's first 8 frames.
    let scratch = FileManager.default.temporaryDirectory.appendingPathComponent("posescope-golden-\(UUID())")
    let folder = scratch.appendingPathComponent("sports2d")
    try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: scratch) }
    for i in 1...8 {
      let name = String(format: "frame_%04d.jpg", i)
      try FileManager.default.copyItem(
        atPath: try TestAssets.sample("sports2d/" + name),
        toPath: folder.appendingPathComponent(name).path)
    }
    let run = try Pipeline().run([folder.path])
    #expect(run.items[0].tracked && run.failures.isEmpty)
    #expect(run.frames.count == golden.sequence.count)
    for (frame, expected) in zip(run.frames, golden.sequence) {
      let diff = differences(try object(frame.record), expected)
      #expect(diff.isEmpty, "\(frame.file): \(diff.prefix(5))")
    }
  }

  @Test func aFolderOfPhotosGivesEachPhotoItsSingleImageResult() throws {
    let pipeline = try Pipeline()
    let run = pipeline.run([images])
    #expect(run.items[0].isFolder && !run.items[0].tracked)
    #expect(run.items[0].trackingReason == "not numbered frames")
    #expect(run.frames.count == 4 && run.failures.isEmpty)
    for frame in run.frames {
      #expect(frame.sequence == nil && frame.index == nil)
      let alone = try #require(try pipeline.estimate(frame.file).first)
      let diff = differences(try object(frame.record), try object(alone.record(file: frame.file)))
      #expect(diff.isEmpty, "\(frame.file): \(diff.prefix(5))")
    }
    // bus.jpg has its person, as it has alone (tracked as a sequence after astronaut.png it had none).
    let bus = try #require(run.frames.first { $0.file.hasSuffix("bus.jpg") })
    #expect(bus.frame.person != nil)
    let document = run.document()
    #expect(
      document.folders == [
        FolderRecord(path: images, frames: 4, taken: "images", reason: "not numbered frames")
      ])
  }

  @Test func oneCallThrowsAClearErrorForAMissingFile() throws {
    let pipeline = try Pipeline()
    #expect(throws: PipelineError.self) { try pipeline.estimate("/nonexistent/person.jpg") }
    do {
      _ = try pipeline.estimate("/nonexistent/person.jpg")
    } catch {
      #expect("\(error)".contains("/nonexistent/person.jpg"))
    }
  }
}
