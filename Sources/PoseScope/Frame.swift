// PoseScope: the one frame model — what the pipeline found in one frame (where it came from, the person's
// pose with everything derived from it once, timings or the failure), from the estimator to the screen
// and the JSON record.

import Foundation
import PoseCore
import PoseEstimation
import PoseFormats

/// Where the 3D pose comes from.
public enum PoseSource: String, CaseIterable, Sendable {
  /// BlazePose GHUM's world landmarks (metres, hip-centred).
  case blazePose
  /// The 2D→3D lifter, from the H36M-17 image joints.
  case aiteLifter

  /// Short name for the status bar.
  public var label: String {
    switch self {
    case .blazePose: return "BlazePose"
    case .aiteLifter: return "AITE lifter"
    }
  }

  /// The name the estimate schema gives the source (`consistent_source`, `subjects[].source`).
  public var recordName: String { self == .aiteLifter ? "lifted" : "world" }
}

/// Which skeleton is drawn and measured.
public enum SkeletonKind: String, CaseIterable, Sendable {
  /// Human3.6M, 17 joints, 16 bones (mapped from BlazePose).
  case h36m17
  /// BlazePose's own 33 landmarks.
  case blazePose33

  /// The PoseCore skeleton.
  public var skeleton: Skeleton { self == .h36m17 ? .h36m17 : .blazePose33 }
  /// Name for titles.
  public var label: String { self == .h36m17 ? "H36M-17" : "BlazePose-33" }
  /// The other one.
  public var toggled: SkeletonKind { self == .h36m17 ? .blazePose33 : .h36m17 }
}

/// One person's pose in a frame with everything derived from it, computed once when the frame is made:
/// the H36M-17 mapping of the world and image landmarks, bone lengths of both skeletons, and the lifter's
/// H36M-17 joints when a lifter ran.
public struct PersonPose: Sendable {
  /// BlazePose's result: score, detection, region of interest, 33 landmarks and world landmarks.
  public var blazePose: PoseResult
  /// H36M-17 joints from the world landmarks (metres, hip-centred, y down).
  public var h36m: [Vec3]?
  /// H36M-17 joints in image pixels.
  public var h36mImage: [Vec2]?
  /// H36M-17 joint visibilities (the minimum over each joint's BlazePose sources).
  public var h36mVisibility: [Double]?
  /// H36M-17 bone lengths of `h36m` (metres, `H36M17.boneNames` order).
  public var h36mLengths: [Double]?
  /// BlazePose-33 bone lengths of the world landmarks (metres, `BlazePose33.bones` order).
  public var blazeLengths: [Double]?
  /// The lifter's H36M-17 joints (metres, pelvis at the origin, camera frame, y down), when a lifter ran.
  public private(set) var lifted: [Vec3]?
  /// Bone lengths of `lifted` (metres).
  public private(set) var liftedLengths: [Double]?

  /// The derived joints and lengths of `result` in an image of `width` × `height` pixels.
  public init(_ result: PoseResult, width: Int, height: Int) {
    blazePose = result
    let world = result.worldLandmarks
    if let j = try? BlazePoseToH36M.map(world) {
      h36m = j
      h36mLengths = try? PoseMetrics.boneLengths(j, skeleton: H36M17.skeleton)
    }
    let pixels = result.landmarks.map { Vec2($0.x * Double(width), $0.y * Double(height)) }
    h36mImage = try? BlazePoseToH36M.map(pixels)
    h36mVisibility = try? BlazePoseToH36M.mapVisibility(result.landmarks.map(\.visibility))
    blazeLengths = try? PoseMetrics.boneLengths(world, skeleton: BlazePose33.skeleton)
  }

  /// Stores a lifter's H36M-17 joints (ignored unless there are 17 finite ones).
  public mutating func attachLifted(_ joints: [Vec3]?) {
    guard let joints, joints.count == H36M17.count,
      joints.allSatisfy({ $0.x.isFinite && $0.y.isFinite && $0.z.isFinite })
    else { return }
    lifted = joints
    liftedLengths = try? PoseMetrics.boneLengths(joints, skeleton: H36M17.skeleton)
  }

  /// The 3D joints a source gives for a skeleton: BlazePose's world landmarks (or their H36M-17
  /// mapping), or the lifter's H36M-17 joints; nil when that source has none.
  public func joints3D(_ kind: SkeletonKind, source: PoseSource = .blazePose) -> [Vec3]? {
    switch (source, kind) {
    case (.blazePose, .h36m17): return h36m
    case (.blazePose, .blazePose33): return blazePose.worldLandmarks
    case (.aiteLifter, .h36m17): return lifted
    case (.aiteLifter, .blazePose33): return nil
    }
  }

  /// Bone lengths (metres) of a skeleton from a source, nil when it has no pose.
  public func lengths(_ kind: SkeletonKind, source: PoseSource = .blazePose) -> [Double]? {
    switch (source, kind) {
    case (.blazePose, .h36m17): return h36mLengths
    case (.blazePose, .blazePose33): return blazeLengths
    case (.aiteLifter, .h36m17): return liftedLengths
    case (.aiteLifter, .blazePose33): return nil
    }
  }
}

/// What the pipeline found in one frame (a few KB): the image size, the person (nil when there is none),
/// the stage timings, or why the frame failed.
public struct PoseFrame: Sendable {
  /// Size of the full image in pixels (0 when it could not be read).
  public var imageWidth: Int
  public var imageHeight: Int
  /// The person found; nil when there is none or the frame failed.
  public var person: PersonPose?
  /// How long each stage took.
  public var timings: StageTimings
  /// Why the frame could not be processed (unreadable image, …), nil when it was.
  public var error: String?

  /// The frame of `result` (nil: no person) in an image of `width` × `height` pixels.
  public init(width: Int, height: Int, result: PoseResult?, timings: StageTimings = StageTimings()) {
    imageWidth = width
    imageHeight = height
    person = result.map { PersonPose($0, width: width, height: height) }
    self.timings = timings
  }

  /// A frame that failed.
  public init(failure: String) {
    imageWidth = 0
    imageHeight = 0
    person = nil
    timings = StageTimings()
    error = failure
  }

  /// BlazePose's result for the person, nil without one.
  public var result: PoseResult? { person?.blazePose }

  /// True when a person was found.
  public var hasPerson: Bool { person != nil }

  /// The 3D joints of a skeleton from a source (see `PersonPose.joints3D`), nil without a person.
  public func joints3D(_ kind: SkeletonKind, source: PoseSource = .blazePose) -> [Vec3]? {
    person?.joints3D(kind, source: source)
  }

  /// Bone lengths (metres) of a skeleton from a source, nil without a person.
  public func lengths(_ kind: SkeletonKind, source: PoseSource = .blazePose) -> [Double]? {
    person?.lengths(kind, source: source)
  }

  /// The schema-1 record of this frame: `file`, and for sequences their name, the frame's index and (videos)
  /// its time in seconds; the lifter's joints when a lifter ran.
  public func record(file: String, sequence: String? = nil, frame: Int? = nil, time: Double? = nil)
    -> FrameRecord
  {
    var record = FrameRecord(
      file: file, sequence: sequence, frame: frame, time: time, width: imageWidth, height: imageHeight)
    guard let person else { return record }
    let r = person.blazePose
    let w = Double(imageWidth)
    let h = Double(imageHeight)
    record.setPose(
      score: r.poseScore,
      landmarks: r.landmarks.map { [$0.x * w, $0.y * h, $0.z * w, $0.visibility, $0.presence] },
      worldLandmarks: r.worldLandmarks, h36m17: person.h36m, h36m17Image: person.h36mImage,
      boneLengths: person.h36mLengths)
    record.attachLifted(person.lifted)
    return record
  }
}
