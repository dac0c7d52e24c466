// NeuralEngine: NHWC float32 tensors, the ops of the BlazePose models, and an interpreter for a TFLite subgraph.
