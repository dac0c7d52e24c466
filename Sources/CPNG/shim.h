// CPNG: libpng's simplified png_image_* API, with its size macros as functions.
#ifndef POSESCOPE_CPNG_SHIM_H
#define POSESCOPE_CPNG_SHIM_H
#include <png.h>

/// Whether `PNG_IMAGE_FAILED` holds for the image (warning or error).
static inline int posescope_png_image_failed(png_imagep image) { return PNG_IMAGE_FAILED(*image); }
/// The row stride, in components, for `format` at `width`.
static inline png_uint_32 posescope_png_row_stride(png_imagep image) { return PNG_IMAGE_ROW_STRIDE(*image); }
/// The buffer size, in bytes, `png_image_finish_read` needs for `image` with `stride`.
static inline size_t posescope_png_image_size(png_imagep image) { return PNG_IMAGE_SIZE(*image); }
/// The `PNG_IMAGE_VERSION` constant.
static inline png_uint_32 posescope_png_image_version(void) { return PNG_IMAGE_VERSION; }
#endif
