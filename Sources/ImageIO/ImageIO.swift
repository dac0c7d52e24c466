// ImageIO: decodes PNG (libpng simplified API) and JPEG (TurboJPEG) into RGB8 images, and lists frame folders.
