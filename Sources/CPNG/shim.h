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
/// The NUL-terminated libpng error or warning message stored in the image (empty when none).
static inline const char *posescope_png_image_message(png_imagep image) { return image->message; }
/// The `PNG_FORMAT_RGB` constant (8-bit sRGB, three channels).
static inline png_uint_32 posescope_png_format_rgb(void) { return PNG_FORMAT_RGB; }
/// The `PNG_FORMAT_RGBA` constant (8-bit sRGB, three channels plus straight alpha).
static inline png_uint_32 posescope_png_format_rgba(void) { return PNG_FORMAT_RGBA; }
/// The `PNG_FORMAT_FLAG_ALPHA` bit of `png_image.format`.
static inline png_uint_32 posescope_png_format_flag_alpha(void) { return PNG_FORMAT_FLAG_ALPHA; }
/// The `PNG_FORMAT_FLAG_LINEAR` bit of `png_image.format` (16-bit components).
static inline png_uint_32 posescope_png_format_flag_linear(void) { return PNG_FORMAT_FLAG_LINEAR; }
/// The `PNG_IMAGE_FLAG_16BIT_sRGB` bit of `png_image.flags`.
static inline png_uint_32 posescope_png_image_flag_16bit_srgb(void) { return PNG_IMAGE_FLAG_16BIT_sRGB; }
/// `PNG_IMAGE_PNG_SIZE_MAX`: an upper bound on the PNG file `png_image_write_to_memory` produces for `image`
/// (0 when the bound does not fit in `png_alloc_size_t`).
static inline png_alloc_size_t posescope_png_image_png_size_max(png_imagep image) {
  return PNG_IMAGE_PNG_SIZE_MAX(*image);
}
#endif
