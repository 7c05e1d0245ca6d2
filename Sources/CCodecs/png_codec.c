// PNG decoding and encoding through libpng, with libpng's longjmp error handling kept
// inside this file (see ccodecs.h).
#include "ccodecs.h"

#include <png.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

// Everything a decode owns lives in this struct, so cleanup after a longjmp reads memory,
// not registers clobbered by setjmp.
typedef struct {
    const uint8_t *data;
    size_t size;
    size_t offset;
    int truncated;
    char *message;  // points into cc_image.message
    png_structp png;
    png_infop info;
    png_bytep *rows;
} png_read_context;

static void png_error_handler(png_structp png, png_const_charp text) {
    png_read_context *ctx = (png_read_context *)png_get_error_ptr(png);
    if (ctx != NULL && ctx->message != NULL && ctx->message[0] == 0) {
        snprintf(ctx->message, 256, "%s", text != NULL ? text : "PNG error");
    }
    png_longjmp(png, 1);
}

static void png_warning_handler(png_structp png, png_const_charp text) {
    (void)png;
    (void)text;  // warnings (bad ancillary chunks, unknown profiles) do not stop a decode
}

static void png_read_from_memory(png_structp png, png_bytep dest, size_t length) {
    png_read_context *ctx = (png_read_context *)png_get_io_ptr(png);
    if (length > ctx->size - ctx->offset) {
        ctx->truncated = 1;
        png_error(png, "truncated");
    }
    memcpy(dest, ctx->data + ctx->offset, length);
    ctx->offset += length;
}

cc_status cc_png_decode(const uint8_t *data, size_t size, uint64_t max_pixels, cc_image *out) {
    memset(out, 0, sizeof(*out));
    if (size < 8 || png_sig_cmp(data, 0, 8) != 0) {
        snprintf(out->message, sizeof(out->message), "not a PNG signature");
        return CC_ERR_CORRUPT;
    }
    // On the heap, so that what cleanup reads after a longjmp is memory, not a register
    // value setjmp may have saved before it changed.
    png_read_context *ctx = (png_read_context *)calloc(1, sizeof(png_read_context));
    if (ctx == NULL) return CC_ERR_NO_MEMORY;
    ctx->data = data;
    ctx->size = size;
    ctx->message = out->message;
    ctx->png = png_create_read_struct(PNG_LIBPNG_VER_STRING, ctx, png_error_handler,
                                     png_warning_handler);
    if (ctx->png == NULL) {
        free(ctx);
        return CC_ERR_NO_MEMORY;
    }
    ctx->info = png_create_info_struct(ctx->png);
    if (ctx->info == NULL) {
        png_destroy_read_struct(&ctx->png, NULL, NULL);
        free(ctx);
        return CC_ERR_NO_MEMORY;
    }

    cc_status status;
    if (setjmp(png_jmpbuf(ctx->png))) {
        if (ctx->truncated) {
            status = CC_ERR_TRUNCATED;
            snprintf(out->message, sizeof(out->message), "truncated PNG after %zu bytes", size);
        } else {
            status = CC_ERR_CORRUPT;
        }
        goto cleanup;
    }

    png_set_read_fn(ctx->png, ctx, png_read_from_memory);
    // Ancillary text and iCCP chunks are bounded so a crafted file cannot claim gigabytes.
    png_set_chunk_malloc_max(ctx->png, 16u << 20);
    png_set_chunk_cache_max(ctx->png, 1000);
#ifdef PNG_IGNORE_ADLER32
    // Every IDAT chunk carries a CRC32 of its compressed bytes, which libpng still checks;
    // zlib's Adler-32 over the same data adds nothing but ~5% of the decode time.
    png_set_option(ctx->png, PNG_IGNORE_ADLER32, PNG_OPTION_ON);
#endif
    png_read_info(ctx->png, ctx->info);

    png_uint_32 width = 0, height = 0;
    int bit_depth = 0, color_type = 0, interlace = 0;
    png_get_IHDR(ctx->png, ctx->info, &width, &height, &bit_depth, &color_type, &interlace, NULL,
                 NULL);
    out->header_width = width;
    out->header_height = height;
    out->source_bit_depth = (uint32_t)bit_depth;
    out->source_color = color_type;
    out->progressive = interlace != PNG_INTERLACE_NONE;
    if ((uint64_t)width * (uint64_t)height > max_pixels) {
        status = CC_ERR_TOO_LARGE;
        goto cleanup;
    }

    // Normalise every colour type and depth to 8-bit grey, grey+alpha, RGB or RGBA.
    if (color_type == PNG_COLOR_TYPE_PALETTE) png_set_palette_to_rgb(ctx->png);
    if (color_type == PNG_COLOR_TYPE_GRAY && bit_depth < 8) png_set_expand_gray_1_2_4_to_8(ctx->png);
    if (png_get_valid(ctx->png, ctx->info, PNG_INFO_tRNS)) png_set_tRNS_to_alpha(ctx->png);
    if (bit_depth == 16) png_set_scale_16(ctx->png);  // round(v * 255 / 65535)
    int passes = png_set_interlace_handling(ctx->png);
    (void)passes;
    png_read_update_info(ctx->png, ctx->info);

    uint32_t channels = png_get_channels(ctx->png, ctx->info);
    size_t rowbytes = png_get_rowbytes(ctx->png, ctx->info);
    if (channels < 1 || channels > 4 || rowbytes != (size_t)width * channels) {
        snprintf(out->message, sizeof(out->message), "unexpected PNG layout after expansion");
        status = CC_ERR_UNSUPPORTED;
        goto cleanup;
    }
    out->pixels = (uint8_t *)malloc(rowbytes * height > 0 ? rowbytes * height : 1);
    ctx->rows = (png_bytep *)malloc(sizeof(png_bytep) * (height > 0 ? height : 1));
    if (out->pixels == NULL || ctx->rows == NULL) {
        snprintf(out->message, sizeof(out->message), "out of memory for %ux%u pixels", width, height);
        status = CC_ERR_NO_MEMORY;
        goto cleanup;
    }
    for (png_uint_32 y = 0; y < height; y++) ctx->rows[y] = out->pixels + (size_t)y * rowbytes;
    png_read_image(ctx->png, ctx->rows);

    out->width = width;
    out->height = height;
    out->channels = channels;
    out->scale_denom = 1;
    status = CC_OK;

cleanup:
    free(ctx->rows);
    png_destroy_read_struct(&ctx->png, &ctx->info, NULL);
    free(ctx);
    if (status != CC_OK) {
        free(out->pixels);
        out->pixels = NULL;
        out->width = out->height = out->channels = 0;
    }
    return status;
}

// ---- encoding ----

typedef struct {
    cc_buffer *buffer;
    size_t capacity;
    int failed;
} png_write_context;

static void png_write_to_memory(png_structp png, png_bytep source, size_t length) {
    png_write_context *ctx = (png_write_context *)png_get_io_ptr(png);
    cc_buffer *buf = ctx->buffer;
    if (buf->size + length > ctx->capacity) {
        size_t capacity = ctx->capacity > 0 ? ctx->capacity : 4096;
        while (capacity < buf->size + length) capacity *= 2;
        uint8_t *grown = (uint8_t *)realloc(buf->bytes, capacity);
        if (grown == NULL) {
            ctx->failed = 1;
            png_error(png, "out of memory while encoding PNG");
        }
        buf->bytes = grown;
        ctx->capacity = capacity;
    }
    memcpy(buf->bytes + buf->size, source, length);
    buf->size += length;
}

static void png_flush_memory(png_structp png) { (void)png; }

typedef struct {
    png_structp png;
    png_infop info;
    png_bytep *rows;
    char *message;
    png_write_context sink;
} png_write_state;

static void png_write_error_handler(png_structp png, png_const_charp text) {
    png_write_state *state = (png_write_state *)png_get_error_ptr(png);
    if (state != NULL && state->message != NULL && state->message[0] == 0) {
        snprintf(state->message, 256, "%s", text != NULL ? text : "PNG encode error");
    }
    png_longjmp(png, 1);
}

cc_status cc_png_encode(const uint8_t *pixels, uint32_t width, uint32_t height,
                        uint32_t channels, int compression_level, cc_buffer *out) {
    memset(out, 0, sizeof(*out));
    static const int color_types[5] = {-1, PNG_COLOR_TYPE_GRAY, PNG_COLOR_TYPE_GRAY_ALPHA,
                                       PNG_COLOR_TYPE_RGB, PNG_COLOR_TYPE_RGB_ALPHA};
    if (channels < 1 || channels > 4 || width == 0 || height == 0) {
        snprintf(out->message, sizeof(out->message), "cannot encode %ux%u with %u channels as PNG",
                 width, height, channels);
        return CC_ERR_UNSUPPORTED;
    }
    png_write_state *state = (png_write_state *)calloc(1, sizeof(png_write_state));
    if (state == NULL) return CC_ERR_NO_MEMORY;
    state->message = out->message;
    state->sink.buffer = out;
    state->png = png_create_write_struct(PNG_LIBPNG_VER_STRING, state, png_write_error_handler,
                                        png_warning_handler);
    if (state->png == NULL) {
        free(state);
        return CC_ERR_NO_MEMORY;
    }
    state->info = png_create_info_struct(state->png);
    if (state->info == NULL) {
        png_destroy_write_struct(&state->png, NULL);
        free(state);
        return CC_ERR_NO_MEMORY;
    }
    cc_status status;
    if (setjmp(png_jmpbuf(state->png))) {
        status = state->sink.failed ? CC_ERR_NO_MEMORY : CC_ERR_CORRUPT;
        goto cleanup;
    }
    png_set_write_fn(state->png, &state->sink, png_write_to_memory, png_flush_memory);
    png_set_compression_level(state->png, compression_level < 0 ? 6 : (compression_level > 9 ? 9 : compression_level));
    png_set_IHDR(state->png, state->info, width, height, 8, color_types[channels], PNG_INTERLACE_NONE,
                 PNG_COMPRESSION_TYPE_DEFAULT, PNG_FILTER_TYPE_DEFAULT);
    state->rows = (png_bytep *)malloc(sizeof(png_bytep) * height);
    if (state->rows == NULL) {
        status = CC_ERR_NO_MEMORY;
        goto cleanup;
    }
    for (uint32_t y = 0; y < height; y++) {
        state->rows[y] = (png_bytep)(pixels + (size_t)y * width * channels);
    }
    png_write_info(state->png, state->info);
    png_write_image(state->png, state->rows);
    png_write_end(state->png, NULL);
    status = CC_OK;

cleanup:
    free(state->rows);
    png_destroy_write_struct(&state->png, &state->info);
    free(state);
    if (status != CC_OK) {
        free(out->bytes);
        out->bytes = NULL;
        out->size = 0;
    }
    return status;
}

void cc_free(void *pointer) { free(pointer); }
