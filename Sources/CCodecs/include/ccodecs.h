// C shims over libpng and libjpeg(-turbo).
//
// Both libraries report errors in ways Swift cannot survive: libpng longjmps out of the
// failing call, and libjpeg's default error_exit calls exit(). Every call into either
// library therefore happens inside these functions, behind a setjmp that catches the error,
// releases everything the decoder allocated and returns a status with a message. Nothing
// here ever ends the process or returns a half-initialised buffer.
#pragma once

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef enum {
    CC_OK = 0,
    CC_ERR_CORRUPT = 1,      // the codec rejected the data; message says why
    CC_ERR_TRUNCATED = 2,    // the data ends before the image does
    CC_ERR_TOO_LARGE = 3,    // header dimensions exceed max_pixels; nothing was allocated
    CC_ERR_NO_MEMORY = 4,
    CC_ERR_UNSUPPORTED = 5,  // valid file, but a variant we do not decode
} cc_status;

/// A decoded image: 8 bits per channel, rows packed (stride = width * channels).
/// PNG: `pixels` is malloc'd by the decoder on success and must be released with cc_free.
/// JPEG: the caller's buffer (cc_jpeg_decode_into); `pixels` stays NULL.
typedef struct {
    uint32_t width, height;                // decoded size (after DCT scaling)
    uint32_t header_width, header_height;  // size stated by the file
    uint32_t channels;                     // 1 grey, 2 grey+alpha, 3 RGB, 4 RGBA
    uint32_t scale_denom;                  // JPEG DCT scaling: decoded at 1/scale_denom (1 = full)
    uint32_t source_bit_depth;             // PNG bit depth (1..16); 8 for JPEG
    int32_t source_color;                  // PNG colour type, or libjpeg's J_COLOR_SPACE
    int32_t progressive;                   // JPEG: progressive/multi-scan; PNG: interlaced
    uint8_t *pixels;
    char message[256];                     // reason, when the status is not CC_OK
} cc_image;

/// Decodes a PNG held in memory. Grey stays grey; palette expands to RGB (RGBA with tRNS);
/// 1/2/4-bit grey scales to 8 bits; 16-bit samples are rounded to 8 bits; interlacing is
/// undone. Fails with CC_ERR_TOO_LARGE before allocating pixels when width * height
/// exceeds max_pixels.
cc_status cc_png_decode(const uint8_t *data, size_t size, uint64_t max_pixels, cc_image *out);

/// JPEG decoding in two steps, so the caller owns the pixel buffer (no copy afterwards):
/// cc_jpeg_measure reads the header and fills width, height, channels, scale_denom and the
/// header fields; cc_jpeg_decode_into then decodes into `pixels`, which must hold exactly
/// width * height * channels bytes (`capacity`). Output is grey (1 channel) or RGB (3
/// channels); CMYK and YCCK (Adobe) are converted to RGB. When min_width and min_height are
/// non-zero, libjpeg's DCT scaling decodes at the smallest of 1/8, 1/4, 1/2 or full size that
/// still covers them. Both fail with CC_ERR_TOO_LARGE when the file's width * height exceeds
/// max_pixels. A file that ends early fails with CC_ERR_TRUNCATED (libjpeg would otherwise
/// pad it grey); on any failure the buffer's contents are unspecified.
cc_status cc_jpeg_measure(const uint8_t *data, size_t size, uint64_t max_pixels,
                          uint32_t min_width, uint32_t min_height, cc_image *out);
cc_status cc_jpeg_decode_into(const uint8_t *data, size_t size, uint64_t max_pixels,
                              uint32_t min_width, uint32_t min_height, uint8_t *pixels,
                              size_t capacity, cc_image *out);

/// An encoded file in memory, malloc'd; release `bytes` with cc_free.
typedef struct {
    uint8_t *bytes;
    size_t size;
    char message[256];
} cc_buffer;

/// Encodes 8-bit pixels (1 grey, 2 grey+alpha, 3 RGB, 4 RGBA channels) as PNG.
/// compression_level is zlib's 0-9.
cc_status cc_png_encode(const uint8_t *pixels, uint32_t width, uint32_t height,
                        uint32_t channels, int compression_level, cc_buffer *out);

/// Encodes 8-bit grey (1 channel) or RGB (3 channels) pixels as baseline JPEG, quality 1-100.
cc_status cc_jpeg_encode(const uint8_t *pixels, uint32_t width, uint32_t height,
                         uint32_t channels, int quality, cc_buffer *out);

void cc_free(void *pointer);

#ifdef __cplusplus
}
#endif
