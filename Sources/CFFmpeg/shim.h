// FFmpeg headers for Swift, plus inline wrappers for the macros Swift cannot import
// (function-like macros, compound literals, casts).
#ifndef FACESCAN_CFFMPEG_SHIM_H
#define FACESCAN_CFFMPEG_SHIM_H

#include <libavformat/avformat.h>
#include <libavcodec/avcodec.h>
#include <libswscale/swscale.h>
#include <libavutil/avutil.h>
#include <libavutil/display.h>
#include <libavutil/error.h>
#include <libavutil/imgutils.h>
#include <libavutil/pixdesc.h>
#include <libavutil/opt.h>
#include <errno.h>

/// AVERROR(e)
static inline int cff_averror(int e) { return AVERROR(e); }
/// AVERROR_EOF
static inline int cff_averror_eof(void) { return AVERROR_EOF; }
/// AVERROR_INVALIDDATA
static inline int cff_averror_invaliddata(void) { return AVERROR_INVALIDDATA; }
/// AV_NOPTS_VALUE
static inline int64_t cff_nopts_value(void) { return AV_NOPTS_VALUE; }
/// AV_TIME_BASE_Q
static inline AVRational cff_time_base_q(void) { return AV_TIME_BASE_Q; }
/// av_err2str into a caller's buffer of at least AV_ERROR_MAX_STRING_SIZE bytes.
static inline const char *cff_err2str(int err, char *buf, size_t size) {
    return av_make_error_string(buf, size, err);
}
/// Rotation in degrees (counter-clockwise, as av_display_rotation_get) from the stream's display
/// matrix side data, or NAN when there is none.
static inline double cff_stream_rotation(const AVStream *st) {
    size_t size = 0;
    const uint8_t *data = av_stream_get_side_data(st, AV_PKT_DATA_DISPLAYMATRIX, &size);
    if (!data || size < 9 * sizeof(int32_t)) return NAN;
    return av_display_rotation_get((const int32_t *)data);
}
// In-memory input (Image.Bytes): an AVIOContext that reads a private copy of the bytes.
#include <string.h>
typedef struct { uint8_t *data; size_t size; size_t pos; } cff_memory;

static inline int cff_memory_read(void *opaque, uint8_t *buf, int n) {
    cff_memory *m = (cff_memory *)opaque;
    size_t left = m->size - m->pos;
    if (left == 0 || n <= 0) return AVERROR_EOF;
    size_t k = (size_t)n < left ? (size_t)n : left;
    memcpy(buf, m->data + m->pos, k);
    m->pos += k;
    return (int)k;
}

static inline int64_t cff_memory_seek(void *opaque, int64_t offset, int whence) {
    cff_memory *m = (cff_memory *)opaque;
    if (whence & AVSEEK_SIZE) return (int64_t)m->size;
    int64_t base;
    switch (whence & ~AVSEEK_FORCE) {
    case SEEK_SET: base = 0; break;
    case SEEK_CUR: base = (int64_t)m->pos; break;
    case SEEK_END: base = (int64_t)m->size; break;
    default: return AVERROR(EINVAL);
    }
    if (offset < -base || offset > (int64_t)m->size - base) return AVERROR(EINVAL);
    m->pos = (size_t)(base + offset);
    return (int64_t)m->pos;
}

/// Frees an AVIOContext made by cff_open_memory_input, with its buffer and bytes.
static inline void cff_free_memory_io(AVIOContext *pb) {
    if (!pb) return;
    cff_memory *m = (cff_memory *)pb->opaque;
    av_freep(&pb->buffer);
    avio_context_free(&pb);
    if (m) { av_free(m->data); av_free(m); }
}

/// Opens `size` bytes (copied) as an input file. On success *out owns the copy; close it with
/// cff_close_input(out, 1).
static inline int cff_open_memory_input(AVFormatContext **out, const uint8_t *bytes, size_t size) {
    const int bufferSize = 1 << 16;
    AVFormatContext *fmt = avformat_alloc_context();
    cff_memory *m = (cff_memory *)av_mallocz(sizeof *m);
    uint8_t *copy = (uint8_t *)av_malloc(size ? size : 1);
    unsigned char *buffer = (unsigned char *)av_malloc(bufferSize);
    AVIOContext *pb = (fmt && m && copy && buffer) ? avio_alloc_context(buffer, bufferSize, 0, m, cff_memory_read, NULL, cff_memory_seek) : NULL;
    if (!pb) {
        avformat_free_context(fmt); av_free(m); av_free(copy); av_free(buffer);
        return AVERROR(ENOMEM);
    }
    memcpy(copy, bytes, size);
    m->data = copy;
    m->size = size;
    fmt->pb = pb;
    fmt->flags |= AVFMT_FLAG_CUSTOM_IO;
    int rc = avformat_open_input(&fmt, NULL, NULL, NULL);  // frees fmt on failure, not pb
    if (rc < 0) { cff_free_memory_io(pb); return rc; }
    *out = fmt;
    return 0;
}

/// Closes an input opened from a file (inMemory 0) or by cff_open_memory_input (1).
static inline void cff_close_input(AVFormatContext **ctx, int inMemory) {
    if (!ctx || !*ctx) return;
    AVIOContext *pb = inMemory ? (*ctx)->pb : NULL;
    avformat_close_input(ctx);
    cff_free_memory_io(pb);
}
#endif
