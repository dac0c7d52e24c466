// MediaIO: owns media in and out — PNG and JPEG decoding to RGB8 (EXIF orientation, size limits checked
// before allocating, sizes from headers), PNG writing, frame folders in natural order, video frames through
// ffmpeg/ffprobe. Depends on CPNG, CTurboJPEG and FileSupport; knows nothing of poses.
