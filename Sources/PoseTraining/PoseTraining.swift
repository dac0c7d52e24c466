// PoseTraining: layers with forward and backward passes, optimisers, mocap data and the AITE training loop.
//
// Overview (issue 4). Inference is PoseLifting's, which this module builds on: the lifter's input
// normalisation (`KeypointNormalization`), the architecture configurations (`ResidualMLPConfig`,
// `Normalization`, `DCMConfig`, `AdjustmentConfig`) and `Lifter`, which lifts poses from any lifter file.
// - Tensors and layers: `Matrix` (row-major, OpenBLAS gemm), `Linear`, `BatchNorm`, `LayerNorm`, `ReLU`,
//   `Dropout`, `ResidualBlock`, `ResidualMLP` (Martinez et al. 2017), all generic over `TrainingScalar`:
//   Float to train, Double for the finite-difference gradient checks of the tests. Hot methods carry
//   `@_specialize(where Scalar == Float)` so callers in other modules run specialised code.
// - Optimisation: `ParameterSet` (named parameters and buffers), `Adam` (Adam/AdamW),
//   `LearningRateSchedule` (warm-up, exponential, cosine), `Xoshiro256` (seeded, splittable),
//   `Loss` (mean joint distance, MSE), `Checkpoint` (safetensors + JSON metadata, exact resume).
// - AITE: `DisturbanceCorrectionModule` and `AdjustmentNetwork` (K cascaded DCMs with gradients). Their
//   documentation states where the design follows AITEPose (Xie et al., IEEE TCSVT 2025; only its
//   abstract and the summary in issue 4 were available) and which choices are ours; configuration
//   leaves room for the untried variants of ../shared/research/aite-on-lifting.md.
// - Data: `BVH` (reader and forward kinematics, `BVHUnit`, `BVHLimits`, `BVHError` with line numbers),
//   `JointMap` (rig → H36M-17, built in for the two CMU rigs of ../shared/mocap, or JSON),
//   `SampleGenerator` (bone-length augmentation, virtual cameras, 2D noise),
//   `BlazePoseInput` (training 2D built with the run-time BlazePose → H36M-17 joint definitions),
//   `PoseDataset` (paths and folders → sequences, rig detection), `PoseSequence` (JSON/CSV).
// - Training: `TrainingConfig` (missing JSON keys take defaults), `AITETrainer` (steps, reproducible
//   batches, evaluation, checkpoints); `EvaluationSet` and `LifterMetrics` (MPJPE, PA-MPJPE, bone-length
//   error and within-sequence std); `LifterModel` and `UnsupervisedLifter` (export, load for warm starts
//   and evaluation on matrices), `TrainedLifter` (either kind, lifting through PoseLifting's `Lifter`).
