// PoseScope: the umbrella library. It owns the pipeline — images, frame folders and videos in, one
// `PoseFrame` per frame out (`Pipeline`, `FrameEstimator`, `MediaItem`) —, the viewer's background
// estimation and display-image cache, consistent bones over a sequence, and the assets locator; and it
// re-exports the libraries below it, so `import PoseScope` is all a library user needs.
//
// Dependencies point one way: PoseScope → PoseEstimation (BlazePose) → NeuralEngine (+ CKernels) →
// ModelFiles / MediaIO → FileSupport; PoseFormats (the estimate schema, BVH, sidecars) and PoseCore
// (skeleton maths) below them all.

@_exported import MediaIO
@_exported import ModelFiles
@_exported import NeuralEngine
@_exported import PoseCore
@_exported import PoseEstimation
@_exported import PoseFormats
@_exported import PoseLifting
