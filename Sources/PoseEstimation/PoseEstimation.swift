// PoseEstimation: the BlazePose pipeline (detector, ROI, landmarks, tracking, smoothing) on NeuralEngine.
import ImageIO
import ModelIO
import NeuralEngine
import PoseCore
