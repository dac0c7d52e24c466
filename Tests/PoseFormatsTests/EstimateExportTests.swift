// PoseFormatsTests: exporting an estimate document — reading it, choosing a sequence and a source, the CSV,
// and the errors that name what is wrong.
import Foundation
import PoseCore
import PoseFormats
import PoseScopeTestSupport
import Testing

@Suite struct EstimateExportTests {
  /// A record of `sequence` frame `index` whose world joints are the H36M-17 T-pose shifted by `index` cm.
  static func record(_ sequence: String?, _ index: Int, world: Bool = true) -> FrameRecord {
    var r = FrameRecord(file: "f\(index).png", sequence: sequence, frame: index, width: 10, height: 10)
    r.person = true
    if world { r.h36m17 = (0..<17).map { j in [Double(j) * 0.1, Double(index) / 100, 0] } }
    return r
  }

  @Test func readsChoosesAndWritesCSV() throws {
    let dir = try TestFiles.makeTemporaryFolder("posescope-export")
    defer { TestFiles.remove(dir) }
    let doc = EstimateDocument(
      frames: [Self.record("a", 0), Self.record("a", 1), Self.record("b", 0, world: false)], failures: [])
    let path = dir + "/doc.json"
    try TestFiles.write(try doc.json(), to: path)
    let read = try EstimateExport.read(path)
    #expect(read == doc)

    #expect(throws: EstimateExportError.self) { try EstimateExport.select(read, sequence: nil, path: path) }
    do {
      _ = try EstimateExport.select(read, sequence: nil, path: path)
    } catch {
      #expect("\(error)" == "\(path) has 2 sequences; choose one with --sequence: a, b")
    }
    let (name, frames) = try EstimateExport.select(read, sequence: "a", path: path)
    #expect(name == "a" && frames.count == 2)
    #expect(try EstimateExport.defaultSource(frames, path: path) == .world)
    let poses = try EstimateExport.poses(frames, source: .world, sequence: name, path: path)
    let csv = EstimateExport.csv(frames: frames, poses: poses).split(separator: "\n")
    #expect(csv.count == 3 && csv[0].hasPrefix("file,frame,time_s,person,pelvis_x,pelvis_y,pelvis_z"))
    #expect(csv[2].hasPrefix("f1.png,1,,1,0,0.01,0,0.1,0.01,0,"))

    // Sequence b has no 3D joints: the error says which sources the frames have.
    let (_, none) = try EstimateExport.select(read, sequence: "b", path: path)
    #expect {
      try EstimateExport.poses(none, source: .world, sequence: "b", path: path)
    } throws: { error in
      "\(error)" == "\(path): sequence b has no h36m17 joints (sources present: )"
    }
    #expect(throws: EstimateExportError("cannot read \(dir)/missing.json: no such file")) {
      try EstimateExport.read(dir + "/missing.json")
    }
  }
}
