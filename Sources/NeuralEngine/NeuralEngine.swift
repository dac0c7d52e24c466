// NeuralEngine: owns running TFLite graphs — the interpreter (constant folding, PAD folding, one planned
// arena, memory caps), one file per op under Ops/, kernels from CKernels. Depends on ModelFiles, CKernels
// and COpenBLAS; knows nothing of poses.
