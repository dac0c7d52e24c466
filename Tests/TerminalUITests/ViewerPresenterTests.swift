// TerminalUITests: the viewer's frames from real estimates (golden snapshot of a fixture estimate, the
// sequence and reference paths, export), and `--once` on a real sample photo through the estimator.

import Foundation
import PoseScope
import PoseScopeTestSupport
import Testing

@testable import TerminalUI

/// `Fixtures/bus_estimate.json`: the record `posescope estimate` wrote for the sample photo bus.jpg.
private func busEstimate(timings: StageTimings = StageTimings()) throws -> PoseFrame {
  let data = try Data(contentsOf: Fixtures.directory.appendingPathComponent("bus_estimate.json"))
  let doc = try JSONDecoder().decode(EstimateDocument.self, from: data)
  let record = try #require(doc.frames.first)
  let w = Double(record.width)
  let h = Double(record.height)
  let landmarks = try #require(record.landmarks).map {
    PoseLandmark(x: $0[0] / w, y: $0[1] / h, z: $0[2] / w, visibility: $0[3], presence: $0[4])
  }
  let world = try #require(record.worldLandmarks).map { Vec3($0[0], $0[1], $0[2]) }
  try #require(landmarks.count == 33 && world.count == 33)
  let result = PoseResult(
    imageWidth: record.width, imageHeight: record.height, poseScore: record.score ?? 0, detection: nil,
    roi: NormalizedRect(xCenter: 0.5, yCenter: 0.5, width: 1, height: 1), nextROI: nil, landmarks: landmarks,
    worldLandmarks: world)
  return PoseFrame(width: record.width, height: record.height, result: result, timings: timings)
}

/// The same pose with every world landmark scaled by `factor` (bone lengths scale with it).
private func scaled(_ e: PoseFrame, _ factor: Double) throws -> PoseFrame {
  var r = try #require(e.result)
  r.worldLandmarks = r.worldLandmarks.map { $0 * factor }
  return PoseFrame(width: e.imageWidth, height: e.imageHeight, result: r)
}

/// A viewer over bus.jpg (estimated) and a 3-frame folder, with the synthetic 3:4 image standing in for
/// the photo (810×1080 is 3:4 too).
private func busViewer(folderEstimates: [PoseFrame?] = [], groundTruth: GroundTruth? = nil) throws -> (
  ViewerPresenter, ViewerState, EstimateStore
) {
  let items = [
    MediaItem(path: "/samples/images/bus.jpg", kind: .image),
    MediaItem(path: "/samples/run", kind: .folder(frames: (1...3).map { "/samples/run/frame_000\($0).jpg" })),
  ]
  let store = EstimateStore(items: items)
  store.store(
    try busEstimate(
      timings: StageTimings(detectorMs: 17.66, landmarkMs: 16.7, preprocessMs: 2.1, postprocessMs: 0.25)),
    item: 0, frame: 0)
  for (f, e) in folderEstimates.enumerated() { if let e { store.store(e, item: 1, frame: f) } }
  let cache = ThumbnailCache()
  cache.put(.init(item: 0, frame: 0), .image(Fixtures.syntheticImage(), fullWidth: 810, fullHeight: 1080))
  let presenter = ViewerPresenter(
    items: items, settings: ViewerSettings(), store: store, thumbnails: cache,
    groundTruth: [groundTruth.map { .success($0) }, nil])
  return (presenter, ViewerState(items: items, reference: presenter.defaultReference()), store)
}

private func render(_ presenter: ViewerPresenter, _ state: inout ViewerState, glyphs: GlyphSet = .unicode)
  -> CellGrid
{
  let content = presenter.content(for: &state, width: 160, height: 48, glyphs: glyphs)
  return FrameRenderer.render(
    content, width: 160, height: 48, options: RenderOptions(colorMode: .none, glyphs: glyphs))
}

/// The text inside a pane's border.
private func paneText(_ grid: CellGrid, _ rect: Rect) -> [String] {
  (rect.y + 1..<rect.maxY - 1).map { y in
    String(String.UnicodeScalarView((rect.x + 1..<rect.maxX - 1).map { grid[$0, y].scalar }))
  }
}

@Test func snapshotViewerOnARealEstimate() throws {
  var (presenter, state, _) = try busViewer()
  state.camera = Camera3D(yaw: -.pi / 6, pitch: .pi / 12)
  let grid = render(presenter, &state)
  Snapshot.check(ansiString(grid, mode: .none), named: "viewer_bus_160x48_none.txt")
  let lines = grid.lines
  #expect(lines[0].contains("Files 1/2") && lines[0].contains("bus.jpg 810×1080 · score 1.00"))
  #expect(lines[0].contains("3D BlazePose · H36M-17 · yaw -30° pitch 15° ortho ×1.0"))
  #expect(lines[47].contains("bus.jpg │ ready │ BlazePose · H36M-17 │ det 17.7 lm 16.7 pre 2.1 post 0.3 ms"))
  #expect(lines[47].hasSuffix("Tab:files  ?:help "))
  // The worst bone against Winter's table is marked in the table and drawn bold in the 3D pane.
  let layout = try #require(Layout(width: 160, height: 48))
  let table = paneText(grid, layout.boneTable)
  #expect(table[0].contains("bone") && table[0].contains("err%") && table[0].contains("asym%"))
  #expect(table.contains { $0.hasPrefix("> left_upper_arm") })
  #expect(table.last?.hasPrefix("mean err") == true)
  let skeleton = paneText(grid, layout.skeleton)
  #expect(skeleton.joined().unicodeScalars.filter { $0.value >= 0x2801 && $0.value <= 0x28FF }.count > 60)
  var hasBold = false
  for y in layout.skeleton.y + 1..<layout.skeleton.maxY - 1 {
    for x in layout.skeleton.x + 1..<layout.skeleton.maxX - 1 where grid[x, y].attributes.contains(.bold) {
      hasBold = true
    }
  }
  #expect(hasBold)

  // ASCII glyphs: the same frame in 7-bit text.
  var asciiState = state
  let ascii = render(presenter, &asciiState, glyphs: .ascii)
  #expect(ascii.lines.allSatisfy { $0.unicodeScalars.allSatisfy(\.isASCII) })
  #expect(ascii.lines[0].contains("bus.jpg 810x1080 - score 1.00"))
  #expect(
    ascii.lines[0].contains("yaw -30 deg pitch 15 deg ortho x1.0")
      || ascii.lines[0].contains("yaw -30 pitch 15"))
}

@Test func skeletonToggleAndReferences() throws {
  var (presenter, state, _) = try busViewer()
  state.apply(.toggleSkeleton)
  var grid = render(presenter, &state)
  #expect(grid.lines[0].contains("3D BlazePose · BlazePose-33"))
  let layout = try #require(Layout(width: 160, height: 48))
  var table = paneText(grid, layout.boneTable)
  #expect(table.contains { $0.contains("nose-left_eye_inner") })
  #expect(grid.lines[layout.boneTable.y].contains("anthropometric table is H36M-17 (press t)"))
  // Sequence median on a single image: explained, no reference column.
  state.apply(.toggleSkeleton)
  state.reference = .sequenceMedian
  grid = render(presenter, &state)
  #expect(grid.lines[layout.boneTable.y].contains("median needs a frame folder"))
  table = paneText(grid, layout.boneTable)
  #expect(!table[0].contains("ref") && table[0].contains("asym%"))
  #expect(table.last?.hasPrefix("asym ") == true)
  // Ground truth requested but no sidecar.
  state.reference = .groundTruth
  grid = render(presenter, &state)
  #expect(grid.lines[layout.boneTable.y].contains("ground truth — no bus.jpg.gt.json"))
}

@Test func groundTruthGivesZeroErrorsAndMPJPE() throws {
  // The estimate itself as ground truth: every error is 0, MPJPE and PA-MPJPE are 0.
  let estimate = try busEstimate()
  let truth = try #require(estimate.person?.h36m)
  let gt = GroundTruth(path: "/samples/images/bus.jpg.gt.json", frames: [truth])
  var (presenter, state, _) = try busViewer(groundTruth: gt)
  #expect(state.reference == .groundTruth)
  let grid = render(presenter, &state)
  let layout = try #require(Layout(width: 160, height: 48))
  #expect(grid.lines[layout.boneTable.y].contains("ref: ground truth"))
  let table = paneText(grid, layout.boneTable)
  let summary = try #require(table.last)
  #expect(summary.contains("mean err 0 mm (0.0%)") && summary.contains("MPJPE 0.0 mm"))
  #expect(summary.contains("PA-MPJPE 0.0 mm"))
}

@Test func sequencesShowHistoryMedianAndProgress() throws {
  let bus = try busEstimate()
  var (presenter, state, store) = try busViewer(folderEstimates: [
    try scaled(bus, 1.0), try scaled(bus, 1.1), nil,
  ])
  state.apply(.selectNext)
  state.reference = .sequenceMedian
  state.apply(.stepForward)
  var grid = render(presenter, &state)
  let layout = try #require(Layout(width: 160, height: 48))
  #expect(grid.lines[layout.boneTable.y].contains("ref: median of 2 frames · 2 frames"))
  let table = paneText(grid, layout.boneTable)
  #expect(table[0].contains("std") && table[0].contains("history"))
  // Frame 2 is 10 % longer than frame 1, so it is 5 % above the median of the two.
  let neck = try #require(table.first { $0.contains("neck") })
  #expect(neck.contains("+4.8"), "\(neck)")
  #expect(paneText(grid, layout.browser).contains { $0.contains("frame 2/3") })
  #expect(paneText(grid, layout.browser).contains { $0.contains("run/") && $0.contains("2/3") })
  #expect(grid.lines[47].contains("run/frame_0002.jpg │ frame 2/3 30 fps │ est 2/3 │ BlazePose"))
  #expect(grid.lines[47].contains("est 2/3"))
  // Frame 3 is not estimated yet: the 3D pane says so; no image yet either.
  state.apply(.stepForward)
  grid = render(presenter, &state)
  let skeleton = paneText(grid, layout.skeleton).joined()
  #expect(skeleton.contains("estimating… 2/3 frames done"))
  #expect(paneText(grid, layout.image).joined().contains("loading…"))
  let missing =
    "model not found: /m/pose_detection.tflite — fetch the models with `scripts/fetch-assets.sh models` "
    + "(or point POSESCOPE_MODELS at a folder that has them)"
  store.setState(.failed(missing))
  grid = render(presenter, &state)
  // The whole message is readable: wrapped over several centred lines of the 3D pane.
  let wrapped = paneText(grid, layout.skeleton).map { $0.trimmingCharacters(in: .whitespaces) }
    .filter { !$0.isEmpty }.joined(separator: " ")
  #expect(wrapped == missing)
  #expect(grid.lines[47].contains("estimator unavailable (see the 3D pane)"))
}

@Test func exportWritesTheEstimateJSONAtomically() throws {
  let dir = try TestFiles.makeTemporaryFolderURL("posescope-export")
  defer { try? FileManager.default.removeItem(at: dir) }
  let bus = try busEstimate()
  let (base, state, store) = try busViewer(folderEstimates: [
    bus, PoseFrame(failure: "frame_0002.jpg: truncated"),
  ])
  let presenter = ViewerPresenter(
    items: base.items, settings: ViewerSettings(exportDirectory: dir.path), store: store,
    thumbnails: ThumbnailCache(), groundTruth: [nil, nil])
  let message = try presenter.export(state: state)
  let path = dir.appendingPathComponent("bus.jpg.pose.json").path
  #expect(message == "exported to \(path)")
  let doc = try JSONDecoder().decode(
    EstimateDocument.self, from: Data(contentsOf: URL(fileURLWithPath: path)))
  #expect(doc.frames.count == 1 && doc.frames[0].file == "/samples/images/bus.jpg")
  #expect(doc.frames[0].h36m17?.count == 17 && doc.frames[0].sequence == nil)
  #expect(try FileManager.default.contentsOfDirectory(atPath: dir.path) == ["bus.jpg.pose.json"])
  // The folder: the frames estimated so far, failures listed, and the message says it is partial.
  var folderState = state
  folderState.apply(.selectNext)
  let partial = try presenter.export(state: folderState)
  #expect(partial.hasPrefix("exported 2/3 frames (estimation still running) to "))
  let seq = try JSONDecoder().decode(
    EstimateDocument.self, from: Data(contentsOf: dir.appendingPathComponent("run.pose.json")))
  #expect(seq.frames.count == 1 && seq.frames[0].frame == 0 && seq.frames[0].sequence == "/samples/run")
  #expect(
    seq.failures == [FrameFailure(file: "/samples/run/frame_0002.jpg", error: "frame_0002.jpg: truncated")])
  // A folder that cannot be written to is a clear error.
  let bad = ViewerPresenter(
    items: base.items, settings: ViewerSettings(exportDirectory: dir.path + "/missing/sub"), store: store,
    thumbnails: ThumbnailCache(), groundTruth: [nil, nil])
  #expect(throws: ExportError.self) { try bad.export(state: state) }
  do { _ = try bad.export(state: state) } catch {
    #expect(error.message.hasPrefix("cannot write \(dir.path)/missing/sub"))
  }
}

@Test func exportCarriesTheLiftedAndConsistentPoses() throws {
  // A folder of two frames whose bones differ by 10 %, each with a lifted pose (the same pose, scaled):
  // the export has `lifted_h36m17` in every frame, as `estimate` writes it; with consistent bones on
  // (`c`), every frame's `consistent_h36m17` of the source on screen has the subject's lengths, which
  // `subjects` lists once for the folder.
  let dir = try TestFiles.makeTemporaryFolderURL("posescope-export")
  defer { try? FileManager.default.removeItem(at: dir) }
  let bus = try busEstimate()
  let raw = try #require(bus.joints3D(.h36m17, source: .blazePose))
  var frames: [PoseFrame?] = []
  for factor in [1.0, 1.1] {
    var e = try scaled(bus, factor)
    e.person?.attachLifted(raw.map { $0 * (factor * 0.9) })
    frames.append(e)
  }
  let (base, start, store) = try busViewer(folderEstimates: frames + [nil])
  let presenter = ViewerPresenter(
    items: base.items, settings: ViewerSettings(exportDirectory: dir.path), store: store,
    thumbnails: ThumbnailCache(), groundTruth: [nil, nil])
  var state = start
  state.availableSources = PoseSource.allCases
  state.apply(.selectNext)
  let file = dir.appendingPathComponent("run.pose.json")
  func exported() throws -> EstimateDocument {
    _ = try presenter.export(state: state)
    return try JSONDecoder().decode(EstimateDocument.self, from: Data(contentsOf: file))
  }
  var doc = try exported()
  #expect(doc.frames.count == 2 && doc.subjects == nil)
  for (k, frame) in doc.frames.enumerated() {
    let lifted = try #require(frame.liftedH36m17)
    let factor = [0.9, 0.99][k]
    #expect(zip(lifted, raw).allSatisfy { abs($0[1] - $1.y * factor) < 1e-5 }, "frame \(k)")
    #expect(frame.liftedBoneLengths?.count == 16 && frame.consistentH36m17 == nil)
  }
  // Consistent bones of BlazePose's world pose, then of the lifter's.
  for (source, name) in [(PoseSource.blazePose, "world"), (.aiteLifter, "lifted")] {
    if state.source != source { state.apply(.nextSource) }
    if !state.consistentBones { state.apply(.toggleConsistent) }
    doc = try exported()
    let subject = try #require(doc.subjects?.first)
    #expect(doc.subjects?.count == 1 && subject.sequence == "/samples/run" && subject.source == name)
    #expect(subject.method == "projection" && subject.lengthsSource == "estimated from 2 frames")
    let lengths = subject.boneLengths.map(\.lengthM)
    for frame in doc.frames {
      #expect(frame.consistentSource == name)
      let joints = try #require(frame.consistentH36m17).map { Vec3($0[0], $0[1], $0[2]) }
      let made = try PoseMetrics.boneLengths(joints, skeleton: H36M17.skeleton)
      #expect(zip(made, lengths).allSatisfy { abs($0 - $1) < 1e-5 }, "\(name): \(made) vs \(lengths)")
    }
    // They come from the source on screen: their sum lies between the two frames' (10 % apart; left and
    // right bones are tied to their mean, which keeps each pair's sum).
    let rows = try #require(name == "lifted" ? doc.frames[0].liftedH36m17 : doc.frames[0].h36m17)
    let first = try PoseMetrics.boneLengths(rows.map { Vec3($0[0], $0[1], $0[2]) }, skeleton: H36M17.skeleton)
    let total = lengths.reduce(0, +)
    let low = first.reduce(0, +)
    #expect(total > low * 0.999 && total < low * 1.101, "\(name): \(total) vs \(low)")
  }
}

@Test func helpAndTooSmallScreens() throws {
  var (presenter, state, _) = try busViewer()
  state.apply(.help)
  var grid = render(presenter, &state)
  HelpOverlay.render(into: &grid, scroll: 0, glyphs: .unicode)
  let text = grid.lines.joined(separator: "\n")
  #expect(text.contains("PoseScope keys — any key closes"))
  #expect(text.contains("Everywhere") && text.contains("Space") && text.contains("play / pause"))
  // Scrolling is clamped to the lines there are.
  var small = CellGrid(width: 80, height: 24)
  let top = HelpOverlay.render(into: &small, scroll: 1000, glyphs: .ascii)
  #expect(top > 0 && top < KeyTable.helpLines().count)
  #expect(small.lines.allSatisfy { $0.unicodeScalars.allSatisfy(\.isASCII) })
  // Below 80×24 the viewer shows the too-small screen instead of panes.
  let content = presenter.content(for: &state, width: 79, height: 24, glyphs: .unicode)
  let tiny = FrameRenderer.render(content, width: 79, height: 24, options: RenderOptions(colorMode: .none))
  #expect(tiny.lines.joined().contains("Terminal too small"))
}

/// The fetched sample photo `images/<name>`; fails the test, naming the fetch script, when it or the models
/// are missing.
private func samplePhoto(_ name: String) throws -> String {
  let path = try TestAssets.sample("images/" + name)
  _ = try TestAssets.model(ModelStore.landmarkFile)
  return path
}

@Test func onceRendersARealPhotoThroughTheEstimator() throws {
  let path = try samplePhoto("grace_hopper.jpg")
  let items = [MediaItem(path: path, kind: .image)]
  let grid = try Viewer.renderOnceGrid(
    items: items, settings: ViewerSettings(), width: 160, height: 48, colorMode: .truecolor, keys: "2")
  let layout = try #require(Layout(width: 160, height: 48))
  let lines = grid.lines
  #expect(lines[0].contains("Files 1/1") && lines[0].contains("grace_hopper.jpg 512×600 · score"))
  #expect(lines[0].contains("3D BlazePose · H36M-17 · side ortho ×1.0"))
  // The image is drawn in half blocks with the 2D skeleton over it.
  let image = paneText(grid, layout.image).joined()
  #expect(image.unicodeScalars.filter { $0 == "▀" }.count > 500)
  // The skeleton pane has a drawing; the table has the 16 bones' first rows and a summary.
  #expect(
    paneText(grid, layout.skeleton).joined().unicodeScalars.filter { $0.value > 0x2800 && $0.value <= 0x28FF }
      .count > 40)
  let table = paneText(grid, layout.boneTable)
  for bone in H36M17.boneNames.prefix(table.count - 2) {
    #expect(table.contains { $0.contains(bone) }, "no row for \(bone)")
  }
  #expect(table.last?.hasPrefix("mean err") == true)
  #expect(lines[47].contains("grace_hopper.jpg │ ready │ BlazePose · H36M-17 │ det "))
  // The text output is the same grid with colour codes.
  let text = try Viewer.renderOnce(
    items: items, settings: ViewerSettings(), width: 120, height: 40, colorMode: .palette256)
  #expect(text.contains("\u{1B}[0;38;5;") && text.filter { $0 == "\n" }.count == 40)
}

@Test func onceWithoutModelsNamesTheFetchScript() throws {
  let items = [MediaItem(path: "/nonexistent/x.jpg", kind: .image)]
  #expect(throws: MissingModelError.self) {
    _ = try Viewer.renderOnce(
      items: items, settings: ViewerSettings(), width: 80, height: 24, colorMode: .none,
      pipeline: PipelineOptions(modelDirectory: "/nonexistent-models"))
  }
  do {
    _ = try Viewer.renderOnce(
      items: items, settings: ViewerSettings(), width: 80, height: 24, colorMode: .none,
      pipeline: PipelineOptions(modelDirectory: "/nonexistent-models"))
  } catch {
    #expect("\(error)".contains("scripts/fetch-assets.sh models"))
  }
}

@Test func errorBarsFillTheTableOfASingleImage() {
  let rows = [
    BoneTableRow(name: "short", length: 90, reference: 100),
    BoneTableRow(name: "long", length: 105, reference: 100),
    BoneTableRow(name: "huge", length: 190, reference: 100), BoneTableRow(name: "none", length: 50),
  ]
  var table = BoneTable(rows: rows)
  #expect(!table.columns(width: 80).columns.contains(.errorBar))  // off by default
  table.showErrorBars = true
  #expect(table.columns(width: 80).columns == [.length, .reference, .error, .errorPercent, .errorBar])
  let lines = table.lines(width: 60, height: 6)
  #expect(
    lines == [
      "  bone       len   ref   err   err% -20%       0       +20%",
      "  short       90   100   -10  -10.0      ██████│           ",
      "  long       105   100    +5   +5.0            │███        ",
      "> huge       190   100   +90  +90.0            │███████████",
      "  none        50     -     -      -            │",
      "mean err 35 mm (35.0%)  max 90 mm huge",
    ])
  // The 24 columns left become an odd 23: -10 % fills 6 of the 11 cells left of the middle (5.5
  // rounded up), +5 % 3 cells, +90 % all 11 (clamped); no line is wider than the pane.
  #expect(lines.allSatisfy { TextWidth.columns(of: $0) <= 60 })
  // ASCII, and a narrow pane drops the bars first.
  #expect(table.lines(width: 60, height: 3, glyphs: .ascii)[1].hasSuffix("     ######|           "))
  #expect(table.columns(width: 45).columns.last == .errorBar)
  #expect(table.columns(width: 44).columns == [.length, .reference, .error, .errorPercent])
  // With a history the sparkline takes the room instead.
  var history = table
  history.rows[0].history = [1, 2, 3]
  #expect(history.columns(width: 80).columns.last == .history)
  table.noErrorSummary = "no pose in this frame"
  #expect(BoneTable(rows: [BoneTableRow(name: "x", length: nil)]).summary == "no reference lengths")
  var empty = BoneTable(rows: [BoneTableRow(name: "x", length: nil)])
  empty.noErrorSummary = "no pose in this frame"
  #expect(empty.summary == "no pose in this frame")
}

@Test func messagesWrapAtSpaces() {
  #expect(
    FrameRenderer.wrap("model not found: /a/b.tflite — fetch", width: 16, maxLines: 5) == [
      "model not found:", "/a/b.tflite —", "fetch",
    ])
  #expect(FrameRenderer.wrap("one two three", width: 5, maxLines: 2) == ["one", "two three"])
  #expect(FrameRenderer.wrap("", width: 5, maxLines: 2) == [""])
  #expect(FrameRenderer.wrap("x", width: 0, maxLines: 2).isEmpty)
}

@Test func aSecondSourceIsShownWithItsOwnBoneTable() throws {
  // A lifted pose (the fixture T-pose) attached to the bus.jpg estimate: `s` switches the 3D pane and the
  // table to it; BlazePose-33 has no lifted pose.
  let tPose = try Fixtures.tPose().joints3D
  var estimate = try busEstimate()
  estimate.person?.attachLifted(tPose)
  #expect(estimate.joints3D(.h36m17, source: .aiteLifter) == tPose)
  #expect(estimate.joints3D(.blazePose33, source: .aiteLifter) == nil)
  var bad = try busEstimate()
  bad.person?.attachLifted(Array(tPose.prefix(16)))
  #expect(bad.person?.lifted == nil && bad.lengths(.h36m17, source: .aiteLifter) == nil)

  let items = [MediaItem(path: "/samples/images/bus.jpg", kind: .image)]
  let store = EstimateStore(items: items)
  store.store(estimate, item: 0, frame: 0)
  let presenter = ViewerPresenter(
    items: items, settings: ViewerSettings(), store: store, thumbnails: ThumbnailCache(), groundTruth: [nil])
  var state = ViewerState(items: items)
  state.availableSources = PoseSource.allCases
  state.apply(.nextSource)
  #expect(state.source == .aiteLifter)
  var grid = render(presenter, &state)
  let layout = try #require(Layout(width: 160, height: 48))
  #expect(grid.lines[0].contains("3D AITE lifter · H36M-17"))
  let table = paneText(grid, layout.boneTable)
  // The T-pose's legs: 430 mm right, 440 mm left (see Fixtures/README.md).
  #expect(
    table.contains { $0.hasPrefix("  right_upper_leg   430") || $0.hasPrefix("> right_upper_leg   430") })
  #expect(table.contains { $0.contains("left_upper_leg    440") })
  state.apply(.toggleSkeleton)
  grid = render(presenter, &state)
  #expect(paneText(grid, layout.skeleton).joined().contains("AITE lifter gives H36M-17 only (press t)"))
}

@Test func consistentBonesHoldEveryFrameToTheSubjectsLengths() throws {
  // A folder of two frames whose bones differ by 10 %: raw, the table shows a std; after `c` every frame
  // has the subject's (estimated) lengths, which are also the reference, so the std and errors are 0.
  let bus = try busEstimate()
  var (presenter, state, _) = try busViewer(folderEstimates: [
    try scaled(bus, 1.0), try scaled(bus, 1.1), nil,
  ])
  state.apply(.selectNext)
  let layout = try #require(Layout(width: 160, height: 48))
  var grid = render(presenter, &state)
  let rawNeck = try #require(paneText(grid, layout.boneTable).first { $0.contains("neck") })
  let rawStd = try #require(Double(rawNeck.split(separator: " ").dropLast().last.map(String.init) ?? ""))
  #expect(rawStd > 1, "\(rawNeck)")
  state.apply(.toggleConsistent)
  #expect(state.consistentBones && state.message?.contains("consistent bones") == true)
  grid = render(presenter, &state)
  #expect(grid.lines[0].contains("· consistent ·"))
  #expect(grid.lines[layout.boneTable.y].contains("ref: subject, estimated from 2 frames"))
  let table = paneText(grid, layout.boneTable)
  for bone in ["right_upper_leg", "left_lower_leg", "neck", "spine_lower"] {
    let row = try #require(table.first { $0.contains(bone) })
    let cells = row.split(separator: " ").map(String.init)
    // len, ref, err, err%, asym% (or -), std: the length equals the reference, the std is 0.
    let name = try #require(cells.firstIndex { $0 == bone })
    #expect(cells[name + 1] == cells[name + 2], "\(row)")
    #expect(cells[name + 3] == "0" && cells[name + 6] == "0.0", "\(row)")
  }
  // Given lengths replace the estimate; BlazePose-33 has no consistent view.
  var settings = ViewerSettings()
  settings.subjectLengths = try SubjectBoneLengths.fromHeight(1.9)
  let given = ViewerPresenter(
    items: presenter.items, settings: settings, store: presenter.store, thumbnails: ThumbnailCache(),
    groundTruth: [nil, nil])
  grid = render(given, &state)
  #expect(grid.lines[layout.boneTable.y].contains("ref: subject, anthropometric, 1.90 m"))
  state.apply(.toggleSkeleton)
  state.apply(.toggleConsistent)
  state.apply(.toggleConsistent)
  #expect(state.message?.contains("H36M-17 only") == true)
}

@Test func aFolderOfPhotosCountsImagesNotFrames() throws {
  let photos = MediaItem(
    path: "/photos", kind: .folder(frames: ["/photos/a.jpg", "/photos/b.jpg"]), tracked: false)
  let clip = MediaItem(path: "/clip", kind: .folder(frames: ["/clip/f_1.jpg", "/clip/f_2.jpg"]))
  for (item, expected, rate) in [(photos, "image 1/2", false), (clip, "frame 1/2", true)] {
    let presenter = ViewerPresenter(
      items: [item], settings: ViewerSettings(), store: EstimateStore(items: [item]),
      thumbnails: ThumbnailCache())
    var state = presenter.initialState()
    let status = presenter.content(for: &state, width: 160, height: 48, glyphs: .unicode).status
    #expect(status.contains(expected), "\(status)")
    #expect(status.contains("fps") == rate, "\(status)")
  }
}
