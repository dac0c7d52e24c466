// PoseFormats: owns the file formats of poses — the estimate schema (records, document, its JSON layout,
// CSV), BVH reading and writing with one unit type, ground-truth sidecars, and a strict JSON value.
// Depends on PoseCore and FileSupport; knows nothing of estimation or the terminal.
