// PoseCore: owns skeleton maths — BlazePose-33 and H36M-17 skeletons and the mapping between them, geometry
// (rotations, cameras, SVD, Procrustes), metrics (MPJPE, PA-MPJPE, bone lengths, asymmetry, spread), subject
// bone lengths and the projection onto them, anthropometric proportions. Depends on nothing.
