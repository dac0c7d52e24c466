// ModelFiles: owns model and tensor files — the bounds-checked TFLite flatbuffer reader, safetensors read and
// (atomic) write, and where the fetched files live (FetchedAssets). Depends on FileSupport only.
