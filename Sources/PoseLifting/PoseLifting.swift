// PoseLifting: the 2D→3D lifter's inference — reading any lifter file PoseScope writes, the lifter's
// input normalisation, its architecture configuration, and the forward passes of the residual MLP and of
// AITE's DCM cascade on CKernels' packed GEMM.
//
// Overview:
// - `Lifter`: the one entry point. `Lifter.load(path:height:threads:)` reads a supervised lifter
//   (`posescope-lifter/1`), a training checkpoint or an unsupervised lifter
//   (`posescope-unsupervised-lifter/1`), picked by the file's `format` metadata (`LifterKind`), and lifts
//   17 H36M-17 image points (pixels) to a root-relative camera-frame pose in metres; `adjust` runs the
//   trained DCM cascade when the file has one. Errors are `LiftingError`s naming the file.
// - The lifter's input: `KeypointNormalization` (the same at training and inference).
// - Architecture, as a lifter file's `config` metadata describes it: `ResidualMLPConfig` with
//   `Normalization`, `DCMConfig` (`DCMDisturbance`, `DCMLengthGradient`) and `AdjustmentConfig`, and the
//   per-kind views of that metadata, `SupervisedLifterArchitecture` and `UnsupervisedLifterArchitecture`.
//   PoseTraining builds its trainable layers from these types; it keeps everything with gradients.
// - Arithmetic (internal): `PackedLinear` (BatchNorm in evaluation mode and output scales folded into the
//   weights at load, ReLU as the GEMM's clamp), `LifterNetwork` (the residual MLP; LayerNorm per row,
//   dropout the identity), `AdjustmentCascade` (the DCMs in evaluation mode) and `ParallelParts`
//   (CKernels' thread pool). Nothing here touches OpenBLAS or its process-wide thread count.
