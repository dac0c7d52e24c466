// ModelIO: reads TFLite flatbuffers with bounds-checked offsets, and reads and writes safetensors.
