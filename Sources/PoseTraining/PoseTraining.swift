// PoseTraining: layers with forward and backward passes, optimisers, mocap data and the AITE training loop.
