// TerminalUITests: viewer state transitions without a terminal (selection, filter, frames, camera, modes,
// mouse).

import PoseScope
import Testing

@testable import TerminalUI

/// Three images and a 25-frame folder (paths only; nothing is read).
private func sampleState() -> ViewerState {
  let frames = (1...25).map { "/data/run/frame_\($0).jpg" }
  return ViewerState(items: [
    MediaItem(path: "/data/bus.jpg", kind: .image), MediaItem(path: "/data/zidane.jpg", kind: .image),
    MediaItem(path: "/data/astronaut.png", kind: .image),
    MediaItem(path: "/data/run/", kind: .folder(frames: frames)),
  ])
}

@Test func mediaItemsNameTheirFramesAndSidecars() {
  let s = sampleState()
  #expect(s.items.map(\.name) == ["bus.jpg", "zidane.jpg", "astronaut.png", "run"])
  #expect(s.items[3].path == "/data/run" && s.items[3].isFolder && s.items[3].frameCount == 25)
  #expect(s.items[3].sidecarPath == "/data/run.gt.json")
  #expect(s.items[0].sidecarPath == "/data/bus.jpg.gt.json")
  #expect(s.items[0].framePath(0) == "/data/bus.jpg" && s.items[0].framePath(1) == nil)
  #expect(s.items[3].framePath(24) == "/data/run/frame_25.jpg" && s.items[3].framePath(25) == nil)
}

@Test func browsingMovesTheSelection() {
  var s = sampleState()
  #expect(s.selected == 0 && s.focus == .browser)
  s.apply(.selectPrevious)
  #expect(s.selected == 0)
  s.apply(.selectNext)
  s.apply(.selectNext)
  #expect(s.selected == 2)
  s.apply(.selectLast)
  #expect(s.selected == 3 && s.currentItem?.name == "run")
  s.apply(.selectNext)
  #expect(s.selected == 3)
  s.apply(.selectFirst)
  #expect(s.selected == 0)
  s.browserPageSize = 2
  s.apply(.pageDown)
  #expect(s.selected == 2)
  s.apply(.pageDown)
  #expect(s.selected == 3)
  s.apply(.pageUp)
  #expect(s.selected == 1)
  s.apply(.open)
  #expect(s.focus == .skeleton)
}

@Test func filterNarrowsTheList() {
  var s = sampleState()
  s.apply(.selectNext)
  let effect = s.apply(.startFilter)
  #expect(effect == .none && s.editingFilter && s.focus == .browser)
  for c in "JPG".unicodeScalars {
    let used = s.handleFilterKey(.char(c))
    #expect(used)
  }
  #expect(s.filter == "JPG" && s.visible == [0, 1] && s.selected == 1)
  s.handleFilterKey(.char("x"))
  #expect(s.visible.isEmpty && s.selected == nil)
  s.handleFilterKey(.backspace)
  #expect(s.visible == [0, 1] && s.selected == 0)
  s.handleFilterKey(.down)
  #expect(s.selected == 1)
  s.handleFilterKey(.enter)
  #expect(!s.editingFilter && s.filter == "JPG")
  let taken = s.handleFilterKey(.char("a"))
  #expect(!taken)  // not editing: keys go to the key table
  s.apply(.selectNext)
  #expect(s.selected == 1)  // only two items are visible
  s.apply(.startFilter)
  s.handleFilterKey(.escape)
  #expect(s.filter.isEmpty && !s.editingFilter && s.visible.count == 4 && s.selected == 1)
  // Backspace on an empty filter stops editing; keys the filter does not use are not taken.
  s.apply(.startFilter)
  let tabTaken = s.handleFilterKey(.tab)
  #expect(!tabTaken)
  s.handleFilterKey(.backspace)
  #expect(!s.editingFilter)
  s.setFilter("run")
  #expect(s.selected == 3 && s.visible == [3])
}

@Test func framesStepWithinAFolder() {
  var s = sampleState()
  s.apply(.stepForward)
  #expect(s.currentFrame == 0 && s.message?.contains("single image") == true)
  s.apply(.togglePlay)
  #expect(!s.playing && s.message == "play needs a frame folder or a video")
  s.apply(.selectLast)
  s.apply(.stepForward)
  s.apply(.stepForward)
  #expect(s.currentFrame == 2)
  s.apply(.jumpForward)
  #expect(s.currentFrame == 12)
  s.apply(.jumpForward)
  s.apply(.jumpForward)
  #expect(s.currentFrame == 24)
  s.apply(.stepBack)
  #expect(s.currentFrame == 23)
  s.apply(.jumpBack)
  s.apply(.jumpBack)
  s.apply(.jumpBack)
  #expect(s.currentFrame == 0)
  s.setFrame(23)
  s.apply(.togglePlay)
  #expect(s.playing)
  var advanced = s.advancePlayback()
  #expect(advanced && s.currentFrame == 24)
  advanced = s.advancePlayback()
  #expect(advanced && s.currentFrame == 0)  // playback loops
  s.apply(.stepForward)  // stepping pauses
  #expect(!s.playing && s.currentFrame == 1)
  advanced = s.advancePlayback()
  #expect(!advanced)
  // Each folder keeps its frame; changing the selection stops playback.
  s.apply(.togglePlay)
  s.apply(.selectFirst)
  #expect(!s.playing && s.currentFrame == 0)
  s.apply(.selectLast)
  #expect(s.currentFrame == 1)
}

@Test func cameraKeysOrbitZoomAndReset() {
  var s = sampleState()
  let step = ViewerState.orbitStep
  s.apply(.orbitRight)
  s.apply(.orbitRight)
  #expect(abs(s.camera.yaw - 2 * step) < 1e-12)
  s.apply(.orbitLeft)
  #expect(abs(s.camera.yaw - step) < 1e-12)
  for _ in 0..<10 { s.apply(.orbitUp) }
  #expect(s.camera.pitch == .pi / 2)  // stops at the top view
  s.apply(.orbitDown)
  #expect(abs(s.camera.pitch - (.pi / 2 - step)) < 1e-12)
  s.apply(.zoomIn)
  s.apply(.zoomIn)
  #expect(abs(s.camera.zoom - 1.5625) < 1e-12)
  s.apply(.zoomOut)
  #expect(abs(s.camera.zoom - 1.25) < 1e-12)
  s.apply(.toggleProjection)
  #expect(s.camera.projection == .perspective)
  s.apply(.toggleAutoSpin)
  s.spin(seconds: 0.5)
  #expect(s.autoSpin)
  s.apply(.resetView)
  #expect(s.camera.yaw == 0 && s.camera.pitch == 0 && s.camera.zoom == 1 && !s.autoSpin)
  #expect(s.camera.projection == .perspective)  // reset keeps the projection
  s.apply(.preset(.side))
  #expect(s.camera.preset == .side)
  s.apply(.preset(.top))
  #expect(s.camera.preset == .top)
  s.apply(.preset(.back))
  #expect(s.camera.preset == .back)
  s.apply(.preset(.front))
  #expect(s.camera.preset == .front)
  s.autoSpin = true
  s.spin(seconds: 1)
  #expect(abs(s.camera.yaw - ViewerState.spinRate) < 1e-12)
  s.spin(seconds: .nan)
  #expect(abs(s.camera.yaw - ViewerState.spinRate) < 1e-12)
}

@Test func modesFocusAndEffects() {
  var s = sampleState()
  #expect(s.reference == .anthropometric)
  s.apply(.nextReference)
  #expect(s.reference == .groundTruth)
  s.apply(.nextReference)
  #expect(s.reference == .sequenceMedian)
  s.apply(.toggleSkeleton)
  #expect(s.skeleton == .blazePose33)
  s.boneTableScroll = 5
  s.apply(.toggleSkeleton)
  #expect(s.skeleton == .h36m17 && s.boneTableScroll == 0)
  // Only BlazePose is available: `s` explains why it stays.
  s.apply(.nextSource)
  #expect(s.source == .blazePose)
  #expect(s.message?.contains("AITE lifter: no lifter loaded") == true)
  s.availableSources = [.blazePose, .aiteLifter]
  s.apply(.nextSource)
  #expect(s.source == .aiteLifter)
  s.apply(.nextSource)
  #expect(s.source == .blazePose)
  // Tab cycles browser → 3D → bone table.
  s.apply(.focusNext)
  #expect(s.focus == .skeleton)
  s.apply(.focusNext)
  #expect(s.focus == .boneTable)
  s.apply(.focusNext)
  #expect(s.focus == .browser)
  s.apply(.focusPrevious)
  #expect(s.focus == .boneTable)
  s.tablePageSize = 4
  s.apply(.scrollPageDown)
  s.apply(.scrollDown)
  #expect(s.boneTableScroll == 5)
  s.apply(.scrollUp)
  s.apply(.scrollPageUp)
  #expect(s.boneTableScroll == 0)
  s.apply(.help)
  #expect(s.showHelp)
  s.apply(.help)
  #expect(!s.showHelp)
  let effects = [s.apply(.export), s.apply(.redraw), s.apply(.quit)]
  #expect(effects == [.export, .fullRedraw, .quit])
}

@Test func emptyStateIsSafe() {
  var s = ViewerState(items: [])
  #expect(s.selected == nil && s.currentItem == nil && s.currentFrame == nil)
  for action in [ViewerAction.selectNext, .selectLast, .pageDown, .stepForward, .togglePlay, .open] {
    s.apply(action)
  }
  s.setFilter("x")
  s.setFrame(3)
  #expect(s.selected == nil && s.focus == .browser && !s.playing)
}

@Test func mouseSelectsOrbitsAndZooms() throws {
  var s = sampleState()
  let layout = try #require(Layout(width: 160, height: 48))
  var mouse = MouseTracker()
  // A click on the third browser row selects the third item.
  var changed = mouse.handle(
    .press(x: 3, y: layout.browser.y + 3), layout: layout, browserScroll: 0, state: &s)
  #expect(changed)
  #expect(s.selected == 2 && s.focus == .browser)
  // Below the items: focus only.
  mouse.handle(.press(x: 3, y: layout.browser.y + 20), layout: layout, browserScroll: 0, state: &s)
  #expect(s.selected == 2)
  // Dragging in the 3D pane orbits by 4° per column and 8° per row.
  let x = layout.skeleton.x + 10
  let y = layout.skeleton.y + 10
  mouse.handle(.press(x: x, y: y), layout: layout, browserScroll: 0, state: &s)
  #expect(s.focus == .skeleton)
  mouse.handle(.drag(x: x + 5, y: y - 1), layout: layout, browserScroll: 0, state: &s)
  #expect(abs(s.camera.yaw - 5 * MouseTracker.yawPerCell) < 1e-12)
  #expect(abs(s.camera.pitch + MouseTracker.pitchPerCell) < 1e-12)
  changed = mouse.handle(.release(x: x + 5, y: y), layout: layout, browserScroll: 0, state: &s)
  #expect(changed)
  changed = mouse.handle(.drag(x: x + 9, y: y), layout: layout, browserScroll: 0, state: &s)
  #expect(!changed)
  // The wheel zooms the 3D pane and moves the list.
  mouse.handle(.wheelUp(x: x, y: y), layout: layout, browserScroll: 0, state: &s)
  #expect(abs(s.camera.zoom - ViewerState.zoomStep) < 1e-12)
  mouse.handle(.wheelDown(x: 3, y: 5), layout: layout, browserScroll: 0, state: &s)
  #expect(s.selected == 3)
  // Clicks on the image pane or outside do nothing.
  changed = mouse.handle(.press(x: layout.image.x + 2, y: 3), layout: layout, browserScroll: 0, state: &s)
  #expect(!changed)
  changed = mouse.handle(.press(x: 500, y: 500), layout: layout, browserScroll: 0, state: &s)
  #expect(!changed)
}

/// The lifter source takes the session's name for it (an unsupervised `--lifter` file is not "AITE").
@Test func lifterSourceUsesTheSessionsName() {
  var s = ViewerState(items: [MediaItem(path: "/a.png", kind: .image)])
  s.lifterLabel = "unsupervised student"
  #expect(s.label(.aiteLifter) == "unsupervised student" && s.label(.blazePose) == "BlazePose")
  s.availableSources = [.blazePose, .aiteLifter]
  s.nextSource()
  #expect(s.message == "3D source: unsupervised student")
  // A session's first state takes the name from its settings.
  let items = [MediaItem(path: "/a.png", kind: .image)]
  var settings = ViewerSettings()
  settings.lifterLabel = "unsupervised teacher"
  let presenter = ViewerPresenter(
    items: items, settings: settings, store: EstimateStore(items: items), thumbnails: ThumbnailCache())
  #expect(presenter.initialState().label(.aiteLifter) == "unsupervised teacher")
}
