// TerminalUITests: video files in the viewer — items probed by ffprobe, frames seeked and read in order
// from one ffmpeg pipe, estimation order and tracking, status bar time, export with time_s, no ffmpeg.

import Foundation
import PoseScopeTestSupport
import Testing

@testable import PoseScope
@testable import TerminalUI

/// Tools that are not there: what a machine without ffmpeg looks like.
private let noFFmpeg = VideoTools(ffmpeg: "/nonexistent/ffmpeg", ffprobe: "/nonexistent/ffprobe")

@Test func videoItemHasItsFrameCountAndRate() throws {
  let (dir, _, video) = try TestVideo.solid(frames: 20)
  defer { try? FileManager.default.removeItem(at: dir) }
  // Matroska stores no frame count: the item counts the packets instead of trusting the duration.
  let reader = try VideoReader(path: video)
  #expect(reader.info.frameCountIsEstimate)
  #expect(try reader.countFrames() == 20)
  let item = MediaItem.video(path: video)
  #expect(item.kind == .video(frames: 20, fps: 12) && item.problem == nil)
  #expect(item.isVideo && item.isSequence && !item.isFolder && item.frameCount == 20)
  #expect(item.name == "clip.mkv" && item.framePath(0) == nil)
  #expect(item.time(ofFrame: 6) == 0.5 && item.time(ofFrame: 0) == 0)
  #expect(MediaItem(path: "/a/b.jpg", kind: .image).time(ofFrame: 0) == nil)
  // Videos play at their own rate unless --fps was given.
  var settings = ViewerSettings(fps: 25)
  #expect(settings.playbackFPS(for: item) == 12)
  #expect(settings.playbackFPS(for: MediaItem(path: "/r", kind: .folder(frames: ["/r/1.png"]))) == 25)
  settings.fpsOverridesVideos = true
  #expect(settings.playbackFPS(for: item) == 25)
}

@Test func withoutFFmpegTheItemSaysHowToInstallIt() throws {
  let (dir, _, video) = try TestVideo.solid(frames: 3)
  defer { try? FileManager.default.removeItem(at: dir) }
  let item = MediaItem.video(path: video, tools: noFFmpeg)
  #expect(item.isVideo && item.frameCount == 1)
  let problem = try #require(item.problem)
  #expect(problem.contains("apt-get install ffmpeg"))
  // The image pane's message and the estimator's failure name the file and the fix.
  guard case .failed(let reason) = ThumbnailLoader.load(item, frame: 0, videoTools: noFFmpeg) else {
    Issue.record("expected a failed thumbnail")
    return
  }
  #expect(reason.hasPrefix(video) && reason.contains("apt-get install ffmpeg"))
  let source = VideoFrameSource(tools: noFFmpeg)
  let ok = MediaItem(path: video, kind: .video(frames: 3, fps: 12))  // probed elsewhere, no ffmpeg here
  #expect(throws: VideoError.self) { try source.frame(0, of: ok, index: 0).get() }
  #expect(source.starts == 0)

  // The viewer shows it: browser detail, image pane, 3D pane; nothing crashes, export lists the failure.
  let items = [item]
  let store = EstimateStore(items: items)
  let cache = ThumbnailCache()
  cache.put(.init(item: 0, frame: 0), .failed("\(video): \(problem)"))
  store.store(PoseFrame(failure: "\(video): \(problem)"), item: 0, frame: 0)
  let exportDir = dir.appendingPathComponent("out").path
  try FileManager.default.createDirectory(atPath: exportDir, withIntermediateDirectories: true)
  let presenter = ViewerPresenter(
    items: items, settings: ViewerSettings(exportDirectory: exportDir), store: store, thumbnails: cache)
  var state = ViewerState(items: items)
  let content = presenter.content(for: &state, width: 160, height: 48, glyphs: .unicode)
  #expect(content.browser.items.first?.detail == "error")
  #expect(content.imageMessage?.contains("apt-get install ffmpeg") == true)
  #expect(content.skeletonMessage?.contains("apt-get install ffmpeg") == true)
  let grid = FrameRenderer.render(content, width: 160, height: 48, options: RenderOptions(colorMode: .none))
  #expect(grid.lines.joined().contains("sudo apt-get install ffmpeg"))
  _ = try presenter.export(state: state)
  let doc = try JSONDecoder().decode(
    EstimateDocument.self, from: Data(contentsOf: URL(fileURLWithPath: exportDir + "/clip.mkv.pose.json")))
  #expect(doc.frames.isEmpty && doc.failures.count == 1 && doc.failures[0].file == video)
}

/// The bus.jpg fixture estimate (the record `posescope estimate` wrote), for frames with a pose.
private func fixtureEstimate() throws -> PoseFrame {
  let data = try Data(contentsOf: Fixtures.directory.appendingPathComponent("bus_estimate.json"))
  let record = try #require(try JSONDecoder().decode(EstimateDocument.self, from: data).frames.first)
  let w = Double(record.width)
  let h = Double(record.height)
  let landmarks = try #require(record.landmarks).map {
    PoseLandmark(x: $0[0] / w, y: $0[1] / h, z: $0[2] / w, visibility: $0[3], presence: $0[4])
  }
  let world = try #require(record.worldLandmarks).map { Vec3($0[0], $0[1], $0[2]) }
  let result = PoseResult(
    imageWidth: record.width, imageHeight: record.height, poseScore: record.score ?? 0, detection: nil,
    roi: NormalizedRect(xCenter: 0.5, yCenter: 0.5, width: 1, height: 1), nextROI: nil, landmarks: landmarks,
    worldLandmarks: world)
  return PoseFrame(width: record.width, height: record.height, result: result)
}

@Test func statusBarShowsFrameAndTimeAndExportHasTimes() throws {
  let item = MediaItem(path: "/clips/walk.mp4", kind: .video(frames: 50, fps: 25))
  let items = [MediaItem(path: "/clips/a.png", kind: .image), item]
  let store = EstimateStore(items: items)
  let pose = try fixtureEstimate()
  for f in [0, 1, 2, 11] {
    store.store(f == 2 ? PoseFrame(width: 810, height: 1080, result: nil) : pose, item: 1, frame: f)
  }
  store.store(PoseFrame(failure: "/clips/walk.mp4: frame 4 is truncated"), item: 1, frame: 3)
  let dir = try TestFiles.makeTemporaryFolder("posescope-vexport")
  defer { TestFiles.remove(dir) }
  let presenter = ViewerPresenter(
    items: items, settings: ViewerSettings(exportDirectory: dir), store: store, thumbnails: ThumbnailCache())
  var state = ViewerState(items: items)
  state.apply(.selectNext)
  var content = presenter.content(for: &state, width: 160, height: 48, glyphs: .unicode)
  // In the browser: frames estimated of all (the frame count once done), no folder slash; the footer
  // counts frames.
  #expect(content.browser.items[1] == ListItem(label: "walk.mp4", detail: "5/50", isFolder: false))
  #expect(presenter.detail(item: 1, glyphs: .unicode) == "5/50")
  #expect(
    ViewerPresenter(
      items: items, settings: ViewerSettings(), store: EstimateStore(items: items), thumbnails: .init()
    )
    .detail(item: 1, glyphs: .unicode) == "50 fr")
  #expect(content.browser.footer == "frame 1/50")
  #expect(content.status.contains("walk.mp4 │ frame 1/50 25 fps │ t 0.00 s │ "))
  // `]` jumps ten frames, `.` steps one: frame 12 is at 11 / 25 s.
  state.apply(.jumpForward)
  state.apply(.stepForward)
  content = presenter.content(for: &state, width: 160, height: 48, glyphs: .unicode)
  #expect(content.status.contains("frame 12/50 25 fps │ t 0.44 s"))
  #expect(content.imageTitle.hasPrefix("walk.mp4") && content.imageTitle.contains("score"))
  #expect(content.pose3D != nil && content.boneTableTitle.contains("3 frames"))
  // Space plays (wrapping at the end), at the video's rate.
  state.apply(.togglePlay)
  #expect(state.playing)
  state.setFrame(49)
  state.advancePlayback()
  #expect(state.currentFrame == 0)
  content = presenter.content(for: &state, width: 160, height: 48, glyphs: .ascii)
  #expect(content.status.contains("frame 1/50 > 25 fps | t 0.00 s"))
  // Before every frame is estimated the export says so; frames carry time_s = frame / fps.
  let message = try presenter.export(state: state)
  #expect(message == "exported 5/50 frames (estimation still running) to \(dir)/walk.mp4.pose.json")
  let doc = try JSONDecoder().decode(
    EstimateDocument.self, from: Data(contentsOf: URL(fileURLWithPath: dir + "/walk.mp4.pose.json")))
  #expect(doc.frames.map(\.frame) == [0, 1, 2, 11])
  #expect(doc.frames.map(\.time) == [0, 0.04, 0.08, 0.44])
  #expect(doc.frames.allSatisfy { $0.file == "/clips/walk.mp4" && $0.sequence == "/clips/walk.mp4" })
  #expect(doc.frames.map(\.person) == [true, true, false, true])
  #expect(doc.frames[0].h36m17?.count == 17)
  #expect(
    doc.failures == [FrameFailure(file: "/clips/walk.mp4#3", error: "/clips/walk.mp4: frame 4 is truncated")])
}
