// PoseCore: skeleton definitions (BlazePose-33, H36M-17), 3D geometry and pose metrics.
