// TerminalUI: turns the viewer state and the cached estimates into frame content, help overlay and exports.

import Foundation
import PoseScope

/// Settings of a viewer session that do not change while it runs.
public struct ViewerSettings: Sendable {
  /// Playback rate of frame folders (frames per second), and of videos when `fpsOverridesVideos`.
  public var fps: Double
  /// Videos play at `fps` too (the user gave `--fps`); otherwise at their own rate.
  public var fpsOverridesVideos = false
  /// Body height for the anthropometric reference, metres.
  public var bodyHeight: Double
  /// Where `e` writes its JSON files.
  public var exportDirectory: String
  /// Bone error (mm) drawn fully red in the 3D pane.
  public var errorScaleMillimetres: Double
  /// The subject's bone lengths (metres) for consistent bones (`c`); nil: estimated from each sequence.
  public var subjectLengths: SubjectBoneLengths?
  /// AITE's trained DCM cascade for consistent bones of the lifter's 3D, when the lifter has one.
  public var adjuster: BoneAdjuster?
  /// What the viewer calls the lifter source ("AITE lifter" for the shipped kind).
  public var lifterLabel = PoseSource.aiteLifter.label

  /// Creates settings (30 fps, 1.75 m, the current directory, 50 mm).
  public init(
    fps: Double = 30, bodyHeight: Double = 1.75, exportDirectory: String = ".",
    errorScaleMillimetres: Double = 50
  ) {
    self.fps = fps.isFinite && fps > 0 ? min(240, fps) : 30
    self.bodyHeight = bodyHeight.isFinite && bodyHeight > 0 ? bodyHeight : 1.75
    self.exportDirectory = exportDirectory
    self.errorScaleMillimetres = errorScaleMillimetres
  }

  /// The rate `item` plays at: a video's own rate (at most 240) unless `fpsOverridesVideos`, else `fps`.
  public func playbackFPS(for item: MediaItem) -> Double {
    guard !fpsOverridesVideos, let rate = item.videoFPS else { return fps }
    return min(240, rate)
  }
}

/// A failed export.
public struct ExportError: Error, CustomStringConvertible, Sendable {
  /// What went wrong, naming the path.
  public var message: String
  public var description: String { message }
}

/// Builds what the viewer shows from its state, the estimate store and the image cache. Keeps the small
/// amount of presentation memory (browser scroll, the last image shown) between frames. Use from the UI
/// thread only.
public final class ViewerPresenter {
  /// The items browsed.
  public let items: [MediaItem]
  /// Session settings.
  public let settings: ViewerSettings
  /// Ground truth per item: nil without a sidecar, else the loaded file or why it could not be used.
  public let groundTruth: [Result<GroundTruth, GroundTruthError>?]
  let store: EstimateSource
  let thumbnails: ThumbnailCache
  /// First visible browser row (after the last `content` call), for mouse hit-testing.
  public private(set) var browserScroll = 0
  /// Animation phase of the progress spinner.
  public var spinnerPhase = 0
  private var lastImage: (item: Int, image: Image, width: Int, height: Int)?
  private var subjectCache: (item: Int, count: Int, source: PoseSource, lengths: SubjectBoneLengths?)?

  /// A presenter; sidecars are looked up next to each item unless `groundTruth` is given.
  public init(
    items: [MediaItem], settings: ViewerSettings, store: EstimateSource, thumbnails: ThumbnailCache,
    groundTruth: [Result<GroundTruth, GroundTruthError>?]? = nil
  ) {
    self.items = items
    self.settings = settings
    self.store = store
    self.thumbnails = thumbnails
    self.groundTruth = groundTruth ?? items.map { $0.groundTruth() }
  }

  /// A new session's state: the items, the default bone reference and the lifter source's name.
  public func initialState() -> ViewerState {
    var state = ViewerState(items: items, reference: defaultReference())
    state.lifterLabel = settings.lifterLabel
    return state
  }

  /// The reference mode to start with: ground truth when any item has a usable sidecar, else the
  /// sequence median when the first item is a folder or video, else the anthropometric table.
  public func defaultReference() -> ReferenceMode {
    if groundTruth.contains(where: { if case .success = $0 { return true } else { return false } }) {
      return .groundTruth
    }
    return items.first?.isSequence == true ? .sequenceMedian : .anthropometric
  }

  // MARK: - Frame content

  /// Everything one frame shows for `state` on a `width` × `height` terminal; also stores the page sizes
  /// and clamps the scroll positions in `state`.
  public func content(for state: inout ViewerState, width: Int, height: Int, glyphs: GlyphSet) -> FrameContent
  {
    let layout = Layout(width: width, height: height)
    let dot = glyphs == .unicode ? " · " : " - "
    var content = FrameContent()
    content.focus = state.focus

    // Browser.
    let shown = state.visible
    let listItems = shown.map { i in
      ListItem(label: items[i].name, detail: detail(item: i, glyphs: glyphs), isFolder: items[i].isFolder)
    }
    var list = ListPane(items: listItems, selection: state.selected.flatMap { shown.firstIndex(of: $0) })
    if let item = state.currentItem, item.isSequence, let f = state.currentFrame {
      list.footer = "frame \(f + 1)/\(item.frameCount)"
    }
    if state.editingFilter || !state.filter.isEmpty {
      list.filter = state.filter + (state.editingFilter ? "_" : "")
    }
    if let layout {
      let rows = list.itemRows(height: layout.browser.height - 2)
      state.browserPageSize = max(1, rows)
      browserScroll = ListPane.scrollOffset(
        keeping: list.selection, current: browserScroll, visibleRows: rows, count: listItems.count)
      list.scrollOffset = browserScroll
    }
    content.browser = list
    content.browserTitle = state.filter.isEmpty ? "Files" : "Files /\(state.filter)"

    guard let index = state.selected, let frame = state.currentFrame else {
      content.imageTitle = "Image"
      content.imageMessage = items.isEmpty ? "nothing to show" : "no match for /\(state.filter)"
      content.skeletonMessage = "no selection"
      content.status = state.message ?? "no item selected"
      content.statusRight = statusRight(state)
      return content
    }
    let item = items[index]
    let estimate = store.estimate(item: index, frame: frame)
    let kind = state.skeleton
    let skeleton = kind.skeleton

    // Image pane.
    let frameName = item.framePath(frame).map { ($0 as NSString).lastPathComponent } ?? item.name
    let shownName = item.isFolder ? item.name + "/" + frameName : item.name
    var imageTitle = shownName
    var thumb: (image: Image, width: Int, height: Int)?
    switch thumbnails.get(ThumbnailCache.Key(item: index, frame: frame)) {
    case .image(let image, let w, let h)?:
      thumb = (image, w, h)
      lastImage = (index, image, w, h)
    case .failed(let reason)?:
      content.imageMessage = reason
    case nil:
      // Keep the previous frame of the same folder or video on screen while the next one decodes.
      if let last = lastImage, last.item == index, item.isSequence {
        thumb = (last.image, last.width, last.height)
      } else {
        content.imageMessage = "loading…"
      }
    }
    if let thumb {
      content.image = thumb.image
      imageTitle += " \(thumb.width)\(glyphs == .unicode ? "×" : "x")\(thumb.height)"
    }
    if let r = estimate?.result {
      imageTitle += dot + "score " + NumberFormat.fixed(r.poseScore, decimals: 2)
    }
    content.imageTitle = imageTitle

    // Reference lengths and ground truth for this frame.
    let sequence = item.isSequence ? store.estimates(item: index) : []
    let source = state.source
    let consistent = state.consistentBones && kind == .h36m17
    let subject =
      consistent
      ? subjectLengths(item: index, sequence: item.isSequence ? sequence : [estimate], source: source) : nil
    var history = sequence.compactMap { $0?.lengths(kind, source: source) }
    var reference = referenceLengths(state: state, item: index, frame: frame, kind: kind, history: history)
    var lengths = estimate?.lengths(kind, source: source)
    var consistentJoints: [Vec3]?
    if let subject {
      // Every frame with a pose is held to the subject's lengths: the table's reference and history.
      history = history.map { _ in subject.lengths }
      reference = (subject.lengths, "subject, \(subject.source)")
      if let estimate, let made = consistentPose(estimate, subject: subject, source: source) {
        consistentJoints = made.joints
        lengths = (try? PoseMetrics.boneLengths(made.joints, skeleton: H36M17.skeleton)) ?? subject.lengths
      } else {
        lengths = nil
      }
    }

    // 2D overlay and 3D pose.
    if let estimate, let r = estimate.result {
      let visibility = r.landmarks.map(\.visibility)
      if let thumb {
        let sx = Double(thumb.image.width) / Double(max(1, estimate.imageWidth))
        let sy = Double(thumb.image.height) / Double(max(1, estimate.imageHeight))
        let points: [Vec2]
        let vis: [Double]
        if kind == .h36m17, let h = estimate.person?.h36mImage {
          points = h
          vis = estimate.person?.h36mVisibility ?? []
        } else {
          points = r.landmarks.map {
            Vec2($0.x * Double(estimate.imageWidth), $0.y * Double(estimate.imageHeight))
          }
          vis = visibility
        }
        content.pose2D = Pose2D(
          skeleton: skeleton, points: points.map { Vec2($0.x * sx, $0.y * sy) }, visibility: vis)
      }
      if let joints = consistent ? consistentJoints : estimate.joints3D(kind, source: source) {
        var errors: [Double]?
        if let lengths, let ref = reference.lengths, lengths.count == ref.count {
          errors = zip(lengths, ref).map { abs($0 - $1) * 1000 }
        }
        content.pose3D = Pose3D(
          skeleton: skeleton, joints: joints,
          visibility: kind == .h36m17 ? (estimate.person?.h36mVisibility ?? []) : visibility,
          boneErrors: errors)
      } else {
        content.skeletonMessage =
          kind == .h36m17
          ? "\(state.label(source)): no 3D pose for this frame"
          : "\(state.label(source)) gives H36M-17 only (press t)"
      }
    } else {
      content.skeletonMessage = poseMessage(estimate: estimate, item: index, glyphs: glyphs)
    }
    var style = SkeletonStyle()
    style.errorScale = settings.errorScaleMillimetres
    content.skeletonStyle = style
    content.camera = state.camera
    var skeletonTitle =
      "3D \(state.label(state.source))\(consistent ? dot + "consistent" : "")\(dot)\(kind.label)"
      + "\(dot)\(state.camera.summary(glyphs: glyphs))"
    if state.autoSpin { skeletonTitle += dot + "spin" }
    content.skeletonTitle = skeletonTitle

    // Bone table.
    var mpjpe: Double?
    var pa: Double?
    if kind == .h36m17, case .success(let gt)? = groundTruth[index], let truth = gt.joints(frame: frame),
      let predicted = consistent ? consistentJoints : estimate?.joints3D(.h36m17, source: source)
    {
      mpjpe = (try? PoseMetrics.rootAlignedMPJPE(predicted, truth)).map { $0 * 1000 }
      pa = (try? PoseMetrics.paMPJPE(predicted, truth)).map { $0 * 1000 }
    }
    if lengths != nil || !history.isEmpty {
      var table = BoneTable(
        skeleton: skeleton, lengths: lengths ?? [], reference: reference.lengths,
        history: item.isSequence ? history : nil, mpjpe: mpjpe, paMPJPE: pa)
      table.showErrorBars = true
      if lengths == nil { table.noErrorSummary = "no pose in this frame" }
      content.boneTable = table
      if let layout, let table = content.boneTable {
        let h = layout.boneTable.height - 2
        state.tablePageSize = max(1, h - 2)
        state.boneTableScroll = table.clampedScroll(state.boneTableScroll, height: h)
      }
      content.boneTableScroll = state.boneTableScroll
    } else {
      content.boneTableMessage = content.skeletonMessage ?? "no bone lengths"
    }
    var tableTitle = "Bone lengths (mm)\(dot)ref: \(reference.label)"
    if item.isSequence { tableTitle += "\(dot)\(history.count) frames" }
    content.boneTableTitle = tableTitle

    // Status bar.
    var parts: [String] = []
    if let m = state.message { parts.append(m) }
    parts.append(shownName)
    if item.isSequence && !item.isTrackedSequence && item.problem == nil {
      // A folder of unrelated images: no frames in time, each image estimated alone.
      parts.append(
        "image \(frame + 1)/\(item.frameCount)" + (state.playing ? (glyphs == .unicode ? " ▶" : " >") : ""))
    } else if item.isSequence && item.problem == nil {
      let fps = settings.playbackFPS(for: item)
      parts.append(
        "frame \(frame + 1)/\(item.frameCount) "
          + (state.playing ? (glyphs == .unicode ? "▶ " : "> ") : "")
          + "\(NumberFormat.fixed(fps, decimals: fps.rounded() == fps ? 0 : 1)) fps")
    }
    if let t = item.time(ofFrame: frame) { parts.append("t \(NumberFormat.fixed(t, decimals: 2)) s") }
    parts.append(progressText(item: index, glyphs: glyphs))
    parts.append("\(state.label(state.source))\(dot)\(kind.label)")
    if let t = estimate?.timings, t.totalMs > 0 {
      // Per-stage times of this frame; stages that did not run (detector while tracking) are left out.
      let stages = [
        ("det", t.detectorMs), ("lm", t.landmarkMs), ("pre", t.preprocessMs), ("post", t.postprocessMs),
      ]
      parts.append(
        stages.filter { $0.1 > 0 }.map { "\($0.0) \(NumberFormat.fixed($0.1, decimals: 1))" }.joined(
          separator: " ")
          + " ms")
    }
    content.status = parts.joined(separator: glyphs == .unicode ? " │ " : " | ")
    content.statusRight = statusRight(state)
    return glyphs == .unicode ? content : Self.asciiFolded(content)
  }

  /// The content with the Unicode punctuation of titles, messages and the status bar spelled in ASCII.
  static func asciiFolded(_ c: FrameContent) -> FrameContent {
    var c = c
    let f = { (s: String) in ASCIIText.fold(s) }
    c.browserTitle = f(c.browserTitle)
    c.imageTitle = f(c.imageTitle)
    c.skeletonTitle = c.skeletonTitle.map(f)
    c.boneTableTitle = f(c.boneTableTitle)
    c.imageMessage = c.imageMessage.map(f)
    c.skeletonMessage = c.skeletonMessage.map(f)
    c.boneTableMessage = c.boneTableMessage.map(f)
    c.status = f(c.status)
    c.statusRight = f(c.statusRight)
    c.browser.items = c.browser.items.map {
      ListItem(label: f($0.label), detail: $0.detail.map(f), isFolder: $0.isFolder)
    }
    c.browser.footer = c.browser.footer.map(f)
    c.browser.filter = c.browser.filter.map(f)
    return c
  }

  /// Right end of the status bar: the focused pane and the help key.
  func statusRight(_ state: ViewerState) -> String {
    let pane: String
    switch state.focus {
    case .browser: pane = "files"
    case .skeleton: pane = "3D"
    case .boneTable: pane = "bones"
    case .image, .status: pane = state.focus.rawValue
    }
    return "Tab:\(pane)  ?:help"
  }

  /// The browser's right-aligned detail of an item: frames / progress for folders and videos, score for
  /// images, `error` for a video that cannot be read.
  func detail(item i: Int, glyphs: GlyphSet) -> String? {
    let item = items[i]
    if item.problem != nil { return "error" }
    if item.isSequence {
      let p = store.progress(item: i)
      return p.done == 0 || p.done == p.total ? "\(item.frameCount) fr" : "\(p.done)/\(p.total)"
    }
    guard let e = store.estimate(item: i, frame: 0) else { return glyphs == .unicode ? "·" : "." }
    if e.error != nil { return "error" }
    return e.result.map { NumberFormat.fixed($0.poseScore, decimals: 2) } ?? "none"
  }

  /// What the skeleton pane says when there is no pose to draw.
  func poseMessage(estimate: PoseFrame?, item: Int, glyphs: GlyphSet) -> String {
    if let e = estimate {
      if let error = e.error { return error }
      return "no person found"
    }
    switch store.state {
    case .failed(let reason): return reason
    case .loading: return "loading models…"
    default:
      let p = store.progress(item: item)
      return items[item].isSequence ? "estimating… \(p.done)/\(p.total) frames done" : "estimating…"
    }
  }

  /// The status bar's progress part: a spinner while the worker runs.
  func progressText(item: Int, glyphs: GlyphSet) -> String {
    let spinner: [String] =
      glyphs == .unicode ? ["⠋", "⠙", "⠹", "⠸", "⠼", "⠴", "⠦", "⠧", "⠇", "⠏"] : ["|", "/", "-", "\\"]
    let s = spinner[((spinnerPhase % spinner.count) + spinner.count) % spinner.count]
    let p = store.progress(item: item)
    switch store.state {
    case .loading: return "\(s) loading models"
    case .failed: return "estimator unavailable (see the 3D pane)"
    case .working: return items[item].isSequence ? "\(s) est \(p.done)/\(p.total)" : "\(s) estimating"
    case .idle: return items[item].isSequence ? "est \(p.done)/\(p.total)" : "ready"
    }
  }

  /// The frame's H36M-17 pose of `source` held to the subject's lengths (the lifter's through AITE's DCM
  /// cascade first, when it has one), as the 3D pane shows it and `e` exports it; nil without a pose.
  func consistentPose(_ estimate: PoseFrame, subject: SubjectBoneLengths, source: PoseSource) -> (
    joints: [Vec3], method: ConsistentBones.Method
  )? {
    ConsistentBones.pose(
      estimate, subject: subject, source: source, adjuster: source == .aiteLifter ? settings.adjuster : nil)
  }

  /// The subject's lengths for consistent bones: the user's (`settings.subjectLengths`), else a robust
  /// estimate from the raw poses of `source` estimated so far (cached until more frames arrive).
  func subjectLengths(item: Int, sequence: [PoseFrame?], source: PoseSource) -> SubjectBoneLengths? {
    if let given = settings.subjectLengths { return given }
    let count = sequence.filter { $0?.joints3D(.h36m17, source: source) != nil }.count
    guard count > 0 else { return nil }
    if let cached = subjectCache, cached.item == item, cached.count == count, cached.source == source {
      return cached.lengths
    }
    let lengths = try? ConsistentBones.subject(sequence, source: source)
    subjectCache = (item, count, source, lengths)
    return lengths
  }

  /// Reference lengths (metres, NaN where unknown) for the current frame and a label for the table title.
  func referenceLengths(
    state: ViewerState, item: Int, frame: Int, kind: SkeletonKind, history: [[Double]]
  ) -> (lengths: [Double]?, label: String) {
    switch state.reference {
    case .groundTruth:
      switch groundTruth[item] {
      case nil:
        return (nil, "ground truth — no \((items[item].sidecarPath as NSString).lastPathComponent)")
      case .failure(let error)?:
        return (nil, "ground truth — \(error.reason)")
      case .success(let gt)?:
        guard kind == .h36m17 else { return (nil, "ground truth is H36M-17 (press t)") }
        guard let lengths = gt.referenceLengths(frame: frame) else {
          return (nil, "ground truth — none for frame \(frame + 1)")
        }
        return (lengths, "ground truth")
      }
    case .sequenceMedian:
      guard items[item].isSequence else { return (nil, "median needs a frame folder (press r)") }
      guard !history.isEmpty else { return (nil, "median (no frames yet)") }
      let n = kind.skeleton.bones.count
      let lengths = (0..<n).map { b in
        PoseMetrics.median(history.compactMap { $0.count == n ? $0[b] : nil }) ?? .nan
      }
      return (lengths, "median of \(history.count) frames")
    case .anthropometric:
      guard kind == .h36m17 else { return (nil, "anthropometric table is H36M-17 (press t)") }
      return (
        Anthropometry.referenceBoneLengths(height: settings.bodyHeight),
        "anthropometric, \(NumberFormat.fixed(settings.bodyHeight, decimals: 2)) m"
      )
    }
  }

  // MARK: - Export

  /// The file `e` writes for item `index`: `<export dir>/<item name>.pose.json`.
  public func exportPath(item index: Int) -> String {
    let dir = settings.exportDirectory.isEmpty ? "." : settings.exportDirectory
    return (dir.hasSuffix("/") ? dir : dir + "/") + items[index].name + ".pose.json"
  }

  /// Writes the selected image's estimate, or every frame of the selected folder or video estimated so
  /// far, as the JSON of `posescope estimate` (atomically; video frames with their `time_s`); returns a
  /// message for the status bar.
  ///
  /// Frames carry the lifter's joints when a lifter ran (`lifted_h36m17`, as `estimate` writes them) and,
  /// while consistent bones are shown (`c`), the consistent joints of the 3D source on screen
  /// (`consistent_h36m17`) with the lengths they were held to in `subjects`, as `estimate
  /// --consistent-bones` writes them (without its optional smoothing, which the viewer does not do).
  public func export(state: ViewerState) throws(ExportError) -> String {
    guard let index = state.selected else { throw ExportError(message: "nothing selected to export") }
    let item = items[index]
    let estimates = store.estimates(item: index)
    var run = PipelineRun(items: [item])
    for (f, e) in estimates.enumerated() {
      guard let e else { continue }
      if let error = e.error {
        run.failures.append(item.failure(error, at: f))
      } else {
        run.frames.append(item.estimated(e, at: f, itemIndex: 0))
      }
    }
    guard !run.frames.isEmpty || !run.failures.isEmpty else {
      throw ExportError(message: "\(item.name): nothing estimated yet, try again in a moment")
    }
    // While consistent bones are on, the source on screen held to the subject's lengths the 3D pane uses,
    // as `estimate --consistent-bones` groups and writes it (without its optional smoothing).
    let source = state.source
    let subject =
      state.consistentBones ? subjectLengths(item: index, sequence: estimates, source: source) : nil
    let consistent = subject.map {
      ConsistentBones.Settings(
        lengths: $0, adjuster: source == .aiteLifter ? settings.adjuster : nil, source: source)
    }
    let document = run.document(consistent: consistent)
    let path = exportPath(item: index)
    do {
      let data = try document.json() + Data("\n".utf8)
      try writeAtomically(data, to: path)
    } catch {
      throw ExportError(message: "cannot write \(path): \(error)")
    }
    let done = run.frames.count + run.failures.count
    if item.isSequence && done < item.frameCount {
      return "exported \(done)/\(item.frameCount) frames (estimation still running) to \(path)"
    }
    return item.isSequence ? "exported \(done) frames to \(path)" : "exported to \(path)"
  }
}

/// ASCII spellings of the punctuation the viewer uses, for terminals without UTF-8.
public enum ASCIIText {
  static let table: [Unicode.Scalar: String] = [
    "—": "-", "–": "-", "…": "...", "×": "x", "→": "->", "←": "<-", "↑": "^", "↓": "v", "│": "|", "°": " deg",
    "·": "-", "▶": ">", "≤": "<=", "≥": ">=",
  ]

  /// `text` with known Unicode punctuation replaced and any other non-ASCII character shown as `?`.
  public static func fold(_ text: String) -> String {
    var out = ""
    for s in text.unicodeScalars {
      if s.isASCII {
        out.unicodeScalars.append(s)
      } else {
        out += table[s] ?? "?"
      }
    }
    return out
  }
}

/// The `?`/F1 screen: the key table's help lines in a box over the frame.
public enum HelpOverlay {
  /// The help lines laid out in `columns` columns (1 or 2), splitting between sections.
  static func columns(_ lines: [String], count: Int) -> [[String]] {
    guard count == 2 else { return [lines] }
    var sections: [[String]] = [[]]
    for line in lines {
      if line.isEmpty {
        sections.append([])
      } else {
        sections[sections.count - 1].append(line)
      }
    }
    var left: [String] = []
    var right: [String] = []
    let half = (lines.count + 1) / 2
    for section in sections where !section.isEmpty {
      if right.isEmpty && (left.isEmpty || left.count + section.count <= half) {
        left += (left.isEmpty ? [] : [""]) + section
      } else {
        right += (right.isEmpty ? [] : [""]) + section
      }
    }
    return right.isEmpty ? [left] : [left, right]
  }

  /// Draws the help box centred on `grid` (two columns when they fit), starting at line `scroll`
  /// (clamped); returns the clamped scroll. Nothing is drawn when the grid is below the minimum size.
  @discardableResult
  public static func render(into grid: inout CellGrid, scroll: Int, glyphs: GlyphSet) -> Int {
    guard grid.width >= Layout.minimumWidth, grid.height >= Layout.minimumHeight else { return 0 }
    let lines = KeyTable.helpLines(glyphs: glyphs)
    let gap = 4
    var cols = columns(lines, count: 2)
    var widths = cols.map { $0.map { TextWidth.columns(of: $0) }.max() ?? 0 }
    if widths.reduce(0, +) + gap * (cols.count - 1) + 4 > grid.width - 4 {
      cols = [lines]
      widths = [lines.map { TextWidth.columns(of: $0) }.max() ?? 20]
    }
    let rowsNeeded = cols.map(\.count).max() ?? 0
    let width = min(grid.width - 4, widths.reduce(0, +) + gap * (cols.count - 1) + 4)
    let height = min(grid.height - 2, rowsNeeded + 2)
    let rect = Rect(x: (grid.width - width) / 2, y: (grid.height - height) / 2, width: width, height: height)
    let visible = height - 2
    let top = max(0, min(scroll, rowsNeeded - visible))
    grid.clip = grid.bounds
    grid.fill(rect, with: .blank)
    let more = rowsNeeded > visible ? " (\(glyphs == .unicode ? "↑↓" : "Up/Down") scroll)" : ""
    let title = "PoseScope keys — any key closes\(more)"
    grid.drawBox(
      rect, style: glyphs.focusedBox, title: glyphs == .unicode ? title : ASCIIText.fold(title),
      ellipsis: glyphs.ellipsis)
    var x = rect.x + 2
    for (c, column) in cols.enumerated() {
      let available = max(0, min(widths[c], rect.maxX - 2 - x))
      for (row, line) in column.dropFirst(top).prefix(visible).enumerated() {
        let isTitle = !line.hasPrefix(" ") && !line.isEmpty && !line.contains(":")
        grid.drawText(
          TextWidth.truncated(line, toColumns: available, ellipsis: glyphs.ellipsis), x: x,
          y: rect.y + 1 + row,
          attributes: isTitle ? [.bold, .underline] : [])
      }
      x += widths[c] + gap
    }
    return top
  }
}
