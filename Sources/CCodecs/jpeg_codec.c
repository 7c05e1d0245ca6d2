// JPEG decoding and encoding through libjpeg(-turbo). libjpeg's default error_exit calls
// exit(); ours longjmps back to the function that started the work (see ccodecs.h).
#include "ccodecs.h"

#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jpeglib.h>
#include <jerror.h>

// A progressive file may hold any number of scans, each costing a full pass over the
// coefficients; libjpeg-turbo's own tools cap them at 500 to refuse "scan bombs".
#define CC_JPEG_MAX_SCANS 500
// Working memory libjpeg may take (coefficient buffers of progressive files).
#define CC_JPEG_MAX_MEMORY (1536L * 1024L * 1024L)

typedef struct {
    struct jpeg_error_mgr base;  // must be first: libjpeg hands us a pointer to it
    jmp_buf escape;
    int truncated;
    char *message;
} jpeg_error_context;

static void jpeg_error_exit(j_common_ptr cinfo) {
    jpeg_error_context *err = (jpeg_error_context *)cinfo->err;
    if (err->message != NULL && err->message[0] == 0) {
        char text[JMSG_LENGTH_MAX];
        (*cinfo->err->format_message)(cinfo, text);
        snprintf(err->message, 256, "%s", text);
    }
    longjmp(err->escape, 1);
}

// Warnings (level -1) are counted by libjpeg; a premature end of data is turned into an
// error, because libjpeg would otherwise fill the rest of the image with grey.
static void jpeg_emit_message(j_common_ptr cinfo, int level) {
    jpeg_error_context *err = (jpeg_error_context *)cinfo->err;
    if (level < 0) {
        err->base.num_warnings++;
        if (err->base.msg_code == JWRN_JPEG_EOF) {
            err->truncated = 1;
            longjmp(err->escape, 1);
        }
    }
}

static void jpeg_output_message(j_common_ptr cinfo) { (void)cinfo; }

static void jpeg_progress(j_common_ptr cinfo) {
    if (cinfo->is_decompressor) {
        j_decompress_ptr dinfo = (j_decompress_ptr)cinfo;
        if (dinfo->input_scan_number > CC_JPEG_MAX_SCANS) {
            jpeg_error_context *err = (jpeg_error_context *)cinfo->err;
            snprintf(err->message, 256, "progressive JPEG with more than %d scans refused",
                     CC_JPEG_MAX_SCANS);
            longjmp(err->escape, 1);
        }
    }
}

static void install_error_handlers(jpeg_error_context *err, char *message) {
    jpeg_std_error(&err->base);
    err->base.error_exit = jpeg_error_exit;
    err->base.emit_message = jpeg_emit_message;
    err->base.output_message = jpeg_output_message;
    err->truncated = 0;
    err->message = message;
}

// Everything a decode owns, kept in memory so cleanup after longjmp sees current values.
typedef struct {
    struct jpeg_decompress_struct cinfo;
    jpeg_error_context err;
    struct jpeg_progress_mgr progress;
    int created;
    uint8_t *row;  // scratch row for CMYK conversion
} jpeg_decode_context;

static void read_header(jpeg_decode_context *ctx, const uint8_t *data, size_t size,
                        cc_image *out) {
    jpeg_create_decompress(&ctx->cinfo);
    ctx->created = 1;
    ctx->cinfo.mem->max_memory_to_use = CC_JPEG_MAX_MEMORY;
    ctx->progress.progress_monitor = jpeg_progress;
    ctx->cinfo.progress = &ctx->progress;
    jpeg_mem_src(&ctx->cinfo, (const unsigned char *)data, (unsigned long)size);
    jpeg_read_header(&ctx->cinfo, TRUE);
    out->header_width = ctx->cinfo.image_width;
    out->header_height = ctx->cinfo.image_height;
    out->source_bit_depth = 8;
    out->source_color = (int32_t)ctx->cinfo.jpeg_color_space;
    out->progressive = ctx->cinfo.progressive_mode ? 1 : 0;
}

// Reads the header and settles the output: colour space, DCT scale and the decoded size
// (jpeg_calc_output_dimensions), checking the pixel limit and the component count. Errors
// longjmp to the caller's setjmp; returns CC_OK or a status for the caller to report.
static cc_status prepare(jpeg_decode_context *ctx, const uint8_t *data, size_t size,
                         uint64_t max_pixels, uint32_t min_width, uint32_t min_height,
                         cc_image *out, int *cmyk) {
    read_header(ctx, data, size, out);
    struct jpeg_decompress_struct *cinfo = &ctx->cinfo;
    if ((uint64_t)cinfo->image_width * (uint64_t)cinfo->image_height > max_pixels) {
        return CC_ERR_TOO_LARGE;
    }
    *cmyk = 0;
    switch (cinfo->jpeg_color_space) {
    case JCS_GRAYSCALE:
        cinfo->out_color_space = JCS_GRAYSCALE;
        break;
    case JCS_CMYK:
    case JCS_YCCK:
        cinfo->out_color_space = JCS_CMYK;  // libjpeg turns YCCK into CMYK
        *cmyk = 1;
        break;
    default:
        cinfo->out_color_space = JCS_RGB;
        break;
    }

    // DCT scaling: the smallest power-of-two reduction whose output still covers the request.
    unsigned int denom = 1;
    if (min_width > 0 && min_height > 0) {
        for (unsigned int d = 8; d > 1; d /= 2) {
            unsigned int w = (cinfo->image_width + d - 1) / d;
            unsigned int h = (cinfo->image_height + d - 1) / d;
            if (w >= min_width && h >= min_height) {
                denom = d;
                break;
            }
        }
    }
    cinfo->scale_num = 1;
    cinfo->scale_denom = denom;
    jpeg_calc_output_dimensions(cinfo);
    uint32_t components = (uint32_t)cinfo->output_components;
    if ((*cmyk && components != 4) || (!*cmyk && components != 1 && components != 3)) {
        snprintf(out->message, sizeof(out->message), "JPEG with %u colour components is not supported",
                 components);
        return CC_ERR_UNSUPPORTED;
    }
    out->width = cinfo->output_width;
    out->height = cinfo->output_height;
    out->channels = *cmyk ? 3 : components;
    out->scale_denom = denom;
    return CC_OK;
}

static jpeg_decode_context *new_context(cc_image *out) {
    jpeg_decode_context *ctx = (jpeg_decode_context *)calloc(1, sizeof(jpeg_decode_context));
    if (ctx != NULL) {
        install_error_handlers(&ctx->err, out->message);
        ctx->cinfo.err = &ctx->err.base;
    }
    return ctx;
}

static void free_context(jpeg_decode_context *ctx) {
    if (ctx->created) jpeg_destroy_decompress(&ctx->cinfo);
    free(ctx->row);
    free(ctx);
}

cc_status cc_jpeg_measure(const uint8_t *data, size_t size, uint64_t max_pixels,
                          uint32_t min_width, uint32_t min_height, cc_image *out) {
    memset(out, 0, sizeof(*out));
    jpeg_decode_context *ctx = new_context(out);
    if (ctx == NULL) return CC_ERR_NO_MEMORY;
    cc_status status = CC_ERR_CORRUPT;
    int cmyk = 0;
    if (setjmp(ctx->err.escape)) {
        status = ctx->err.truncated ? CC_ERR_TRUNCATED : CC_ERR_CORRUPT;
        if (status == CC_ERR_TRUNCATED) {
            snprintf(out->message, sizeof(out->message), "truncated JPEG after %zu bytes", size);
        }
    } else {
        status = prepare(ctx, data, size, max_pixels, min_width, min_height, out, &cmyk);
    }
    free_context(ctx);
    if (status != CC_OK) out->width = out->height = out->channels = 0;
    return status;
}

cc_status cc_jpeg_decode_into(const uint8_t *data, size_t size, uint64_t max_pixels,
                              uint32_t min_width, uint32_t min_height, uint8_t *pixels,
                              size_t capacity, cc_image *out) {
    memset(out, 0, sizeof(*out));
    // jmp_buf and the decoder state live on the heap: nothing the cleanup reads can be a
    // register value that setjmp/longjmp would leave stale.
    jpeg_decode_context *ctx = new_context(out);
    if (ctx == NULL) return CC_ERR_NO_MEMORY;

    cc_status status = CC_ERR_CORRUPT;
    if (setjmp(ctx->err.escape)) {
        status = ctx->err.truncated ? CC_ERR_TRUNCATED : CC_ERR_CORRUPT;
        if (status == CC_ERR_TRUNCATED) {
            snprintf(out->message, sizeof(out->message), "truncated JPEG after %zu bytes", size);
        }
        goto cleanup;
    }

    int cmyk = 0;
    status = prepare(ctx, data, size, max_pixels, min_width, min_height, out, &cmyk);
    if (status != CC_OK) goto cleanup;
    struct jpeg_decompress_struct *cinfo = &ctx->cinfo;
    uint32_t width = out->width, height = out->height, channels = out->channels;
    size_t stride = (size_t)width * channels;
    if (pixels == NULL || capacity != stride * height) {
        snprintf(out->message, sizeof(out->message), "pixel buffer of %zu bytes for %ux%ux%u",
                 capacity, width, height, channels);
        status = CC_ERR_UNSUPPORTED;
        goto cleanup;
    }
    jpeg_start_decompress(cinfo);
    if (cinfo->output_width != width || cinfo->output_height != height) {
        snprintf(out->message, sizeof(out->message), "JPEG output size changed at start");
        status = CC_ERR_CORRUPT;
        goto cleanup;
    }
    if (cmyk) ctx->row = (uint8_t *)malloc((size_t)width * 4);
    if (cmyk && ctx->row == NULL) {
        snprintf(out->message, sizeof(out->message), "out of memory for %ux%u pixels", width, height);
        status = CC_ERR_NO_MEMORY;
        goto cleanup;
    }

    // Adobe applications write CMYK inverted (0 = full ink); others write it plain.
    int inverted = cinfo->saw_Adobe_marker;
    while (cinfo->output_scanline < height) {
        JSAMPROW dest = cmyk ? ctx->row : pixels + (size_t)cinfo->output_scanline * stride;
        uint32_t y = cinfo->output_scanline;
        if (jpeg_read_scanlines(cinfo, &dest, 1) != 1) {
            snprintf(out->message, sizeof(out->message), "JPEG decoder stopped at row %u of %u", y,
                     height);
            status = CC_ERR_CORRUPT;
            goto cleanup;
        }
        if (cmyk) {
            // RGB = (1 - C)(1 - K), per channel, in 8-bit terms with rounding.
            uint8_t *rgb = pixels + (size_t)y * stride;
            for (uint32_t x = 0; x < width; x++) {
                const uint8_t *s = ctx->row + 4 * x;
                unsigned int k = inverted ? s[3] : 255u - s[3];
                for (int c = 0; c < 3; c++) {
                    unsigned int ink = inverted ? s[c] : 255u - s[c];
                    rgb[3 * x + c] = (uint8_t)((ink * k + 127u) / 255u);
                }
            }
        }
    }
    jpeg_finish_decompress(cinfo);
    status = CC_OK;

cleanup:
    free_context(ctx);
    if (status != CC_OK) out->width = out->height = out->channels = 0;
    return status;
}

typedef struct {
    struct jpeg_compress_struct cinfo;
    jpeg_error_context err;
    int created;
    unsigned char *bytes;
    unsigned long size;
} jpeg_encode_context;

cc_status cc_jpeg_encode(const uint8_t *pixels, uint32_t width, uint32_t height,
                         uint32_t channels, int quality, cc_buffer *out) {
    memset(out, 0, sizeof(*out));
    if ((channels != 1 && channels != 3) || width == 0 || height == 0 || width > 65500 ||
        height > 65500) {
        snprintf(out->message, sizeof(out->message), "cannot encode %ux%u with %u channels as JPEG",
                 width, height, channels);
        return CC_ERR_UNSUPPORTED;
    }
    jpeg_encode_context *ctx = (jpeg_encode_context *)calloc(1, sizeof(jpeg_encode_context));
    if (ctx == NULL) return CC_ERR_NO_MEMORY;
    install_error_handlers(&ctx->err, out->message);
    ctx->cinfo.err = &ctx->err.base;

    cc_status status = CC_ERR_CORRUPT;
    if (setjmp(ctx->err.escape)) {
        status = CC_ERR_CORRUPT;
        goto cleanup;
    }
    jpeg_create_compress(&ctx->cinfo);
    ctx->created = 1;
    jpeg_mem_dest(&ctx->cinfo, &ctx->bytes, &ctx->size);
    ctx->cinfo.image_width = width;
    ctx->cinfo.image_height = height;
    ctx->cinfo.input_components = (int)channels;
    ctx->cinfo.in_color_space = channels == 1 ? JCS_GRAYSCALE : JCS_RGB;
    jpeg_set_defaults(&ctx->cinfo);
    jpeg_set_quality(&ctx->cinfo, quality < 1 ? 1 : (quality > 100 ? 100 : quality), TRUE);
    jpeg_start_compress(&ctx->cinfo, TRUE);
    while (ctx->cinfo.next_scanline < height) {
        JSAMPROW row = (JSAMPROW)(pixels + (size_t)ctx->cinfo.next_scanline * width * channels);
        jpeg_write_scanlines(&ctx->cinfo, &row, 1);
    }
    jpeg_finish_compress(&ctx->cinfo);
    out->bytes = (uint8_t *)malloc(ctx->size);
    if (out->bytes == NULL) {
        status = CC_ERR_NO_MEMORY;
        goto cleanup;
    }
    memcpy(out->bytes, ctx->bytes, ctx->size);
    out->size = ctx->size;
    status = CC_OK;

cleanup:
    if (ctx->created) jpeg_destroy_compress(&ctx->cinfo);
    free(ctx->bytes);  // jpeg_mem_dest's buffer is the caller's to free
    free(ctx);
    return status;
}
