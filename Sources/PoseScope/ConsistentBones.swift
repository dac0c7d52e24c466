// PoseScope: bone-length-consistent 3D over a sequence — one set of subject bone lengths, every
// frame held to them (AITE's DCM cascade at inference when a trained one is wired in, then the projection
// along the kinematic tree), optional smoothing of bone directions.

import PoseCore
import PoseFormats

/// AITE's trained adjustment network run at inference: a root-relative H36M-17 pose (metres) and the
/// subject's 16 bone lengths (metres) in, the adjusted pose out (nil on failure). Supplied by the
/// application (the network lives in `PoseTraining`); called from one thread at a time.
public typealias BoneAdjuster = @Sendable (_ joints: [Vec3], _ lengths: [Double]) -> [Vec3]?

/// Makes H36M-17 sequences bone-length consistent.
///
/// Method (measured in the README's consistent-bones table on held-out mocap with detector-like 2D
/// noise): when an adjuster is given, the DCM cascade first moves joints along bones towards the subject's
/// lengths with its learned per-joint confidences and gates, then `BoneLengthProjection` makes every
/// length exact while keeping the adjusted directions ("DCM + projection", the default when the lifter has
/// a trained adjustment network); without an adjuster the projection alone runs. Either way the output's
/// bone lengths equal the subject's, so the within-sequence bone-length std is 0 by construction.
public enum ConsistentBones {
  /// How a frame was made consistent.
  public enum Method: String, Sendable, CaseIterable {
    /// The DCM cascade, then the projection.
    case dcmAndProjection = "dcm+projection"
    /// The projection along the tree only (bone directions kept).
    case projection
  }

  /// One frame held to `lengths`: adjusted by `adjuster` (when given and it succeeds), then projected.
  /// The pose is made root-relative for the adjuster and moved back. Nil for a malformed pose.
  public static func pose(
    _ joints: [Vec3], lengths: [Double], adjuster: BoneAdjuster? = nil, fallback: [Vec3]? = nil
  ) -> (joints: [Vec3], method: Method)? {
    guard joints.count == H36M17.count, lengths.count == H36M17.bones.count,
      joints.allSatisfy({ $0.x.isFinite && $0.y.isFinite && $0.z.isFinite })
    else { return nil }
    let root = joints[0]
    let relative = joints.map { $0 - root }
    var start = relative
    var method = Method.projection
    if let adjuster, let adjusted = adjuster(relative, lengths), adjusted.count == H36M17.count,
      adjusted.allSatisfy({ $0.x.isFinite && $0.y.isFinite && $0.z.isFinite })
    {
      start = adjusted.map { $0 - adjusted[0] }
      method = .dcmAndProjection
    }
    let relativeFallback = fallback.flatMap { f in f.count == H36M17.count ? f.map { $0 - f[0] } : nil }
    guard
      let projected = try? BoneLengthProjection.project(start, lengths: lengths, fallback: relativeFallback)
    else { return nil }
    return (projected.map { $0 + root }, method)
  }

  /// A whole sequence: subject lengths (given, or estimated from the frames with `weights`), every frame
  /// with a pose made consistent, optionally smoothed (bone directions, one-euro) at `times` (seconds).
  ///
  /// - Throws: `PoseCoreError.empty` when lengths must be estimated and some bone has no sample.
  public static func sequence(
    _ frames: [[Vec3]?], weights: [[Double]?]? = nil, times: [Double]? = nil,
    lengths given: SubjectBoneLengths? = nil, adjuster: BoneAdjuster? = nil, smooth: Bool = false,
    smoother settings: BoneDirectionSmoother = BoneDirectionSmoother()
  ) throws -> (lengths: SubjectBoneLengths, poses: [[Vec3]?], method: Method) {
    let lengths = try given ?? SubjectBoneLengths.estimate(frames: frames, jointWeights: weights)
    var smoother = settings
    var previous: [Vec3]?
    var method = Method.projection
    var poses: [[Vec3]?] = []
    for (i, frame) in frames.enumerated() {
      guard let frame,
        let made = pose(frame, lengths: lengths.lengths, adjuster: adjuster, fallback: previous)
      else {
        poses.append(nil)
        smoother.reset()
        previous = nil
        continue
      }
      if made.method == .dcmAndProjection { method = .dcmAndProjection }
      var out = made.joints
      if smooth {
        let t = times.flatMap { i < $0.count ? $0[i] : nil } ?? Double(i) / 30
        out = (try? smoother.smooth(out, lengths: lengths.lengths, time: t)) ?? out
      }
      poses.append(out)
      previous = out
    }
    return (lengths, poses, method)
  }
}

extension ConsistentBones {
  /// The subject's lengths estimated robustly from the H36M-17 poses of `source` in `frames`, each frame's
  /// joints weighted by their visibilities.
  ///
  /// - Throws: `PoseCoreError.empty` when some bone has no sample.
  public static func subject(_ frames: [PoseFrame?], source: PoseSource) throws -> SubjectBoneLengths {
    try SubjectBoneLengths.estimate(
      frames: frames.map { $0?.joints3D(.h36m17, source: source) },
      jointWeights: frames.map { $0?.person?.h36mVisibility })
  }

  /// One frame's H36M-17 pose of `source` held to `subject`'s lengths (through `adjuster` first, when
  /// given); nil without a pose.
  public static func pose(
    _ frame: PoseFrame, subject: SubjectBoneLengths, source: PoseSource, adjuster: BoneAdjuster? = nil
  ) -> (joints: [Vec3], method: Method)? {
    guard let raw = frame.joints3D(.h36m17, source: source) else { return nil }
    return pose(raw, lengths: subject.lengths, adjuster: adjuster)
  }

  /// How a whole sequence is made consistent: the subject's lengths (nil: estimated from the sequence),
  /// the DCM adjuster for the lifter's poses, and smoothing of bone directions over time.
  public struct Settings: Sendable {
    /// The subject's lengths, nil: estimated from each sequence.
    public var lengths: SubjectBoneLengths?
    /// AITE's DCM cascade, used for the lifter's poses; nil: the projection alone.
    public var adjuster: BoneAdjuster?
    /// Smooth bone directions over time (one-euro); lengths stay exact.
    public var smooth: Bool
    /// The 3D source made consistent; nil: the lifter's poses when any frame has them, else BlazePose's.
    public var source: PoseSource?

    /// Settings; the defaults estimate the lengths, project only, do not smooth and pick the source.
    public init(
      lengths: SubjectBoneLengths? = nil, adjuster: BoneAdjuster? = nil, smooth: Bool = false,
      source: PoseSource? = nil
    ) {
      self.lengths = lengths
      self.adjuster = adjuster
      self.smooth = smooth
      self.source = source
    }
  }

  /// The frames of one sequence (or one image) made consistent: the poses of `settings.source` (by default
  /// the lifter's when any frame has them, else BlazePose's), at `times` (seconds). Returns the subject
  /// record and each frame's pose.
  ///
  /// - Throws: `PoseCoreError.empty` when lengths must be estimated and some bone has no sample.
  public static func sequence(
    _ frames: [PoseFrame?], name: String, times: [Double], settings: Settings
  ) throws -> (subject: SubjectRecord, poses: [[Vec3]?], source: PoseSource) {
    let source =
      settings.source ?? (frames.contains { $0?.person?.lifted != nil } ? PoseSource.aiteLifter : .blazePose)
    let made = try sequence(
      frames.map { $0?.joints3D(.h36m17, source: source) },
      weights: frames.map { $0?.person?.h36mVisibility },
      times: times, lengths: settings.lengths, adjuster: source == .aiteLifter ? settings.adjuster : nil,
      smooth: settings.smooth)
    let subject = SubjectRecord(
      sequence: name, lengths: made.lengths.lengths, lengthsSource: made.lengths.source,
      source: source.recordName, method: made.method.rawValue, smoothed: settings.smooth)
    return (subject, made.poses, source)
  }
}
