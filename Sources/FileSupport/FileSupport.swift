// FileSupport: owns how PoseScope touches files — atomic writes (a temporary beside the target, fsync,
// rename, folder fsync; the temporaries of killed writers removed). Depends on nothing of PoseScope; every
// writer (images, JSON documents, safetensors) uses it.
