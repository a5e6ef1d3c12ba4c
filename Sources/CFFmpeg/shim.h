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
#include <malloc.h>

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
// Inputs through our own AVIOContext, from memory (Image.Bytes) or from an open file descriptor: the
// demuxer reads only these bytes. Nested opens (playlists, concat lists, image sequences, external
// references: a file or URL named *inside* the input) are refused, and only the demuxers in a
// whitelist may read them, so an input can never make FFmpeg open another file or a network address.
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
typedef struct { uint8_t *data; int fd; int64_t size; int64_t pos; } cff_source;

static inline int cff_source_read(void *opaque, uint8_t *buf, int n) {
    cff_source *m = (cff_source *)opaque;
    if (n <= 0 || m->pos >= m->size) return AVERROR_EOF;
    int64_t k = m->size - m->pos < (int64_t)n ? m->size - m->pos : (int64_t)n;
    if (m->fd >= 0) {
        ssize_t r;
        do { r = pread(m->fd, buf, (size_t)k, (off_t)m->pos); } while (r < 0 && errno == EINTR);
        if (r < 0) return AVERROR(errno);
        if (r == 0) return AVERROR_EOF;
        k = r;
    } else {
        memcpy(buf, m->data + m->pos, (size_t)k);
    }
    m->pos += k;
    return (int)k;
}

static inline int64_t cff_source_seek(void *opaque, int64_t offset, int whence) {
    cff_source *m = (cff_source *)opaque;
    if (whence & AVSEEK_SIZE) return m->size;
    int64_t base;
    switch (whence & ~AVSEEK_FORCE) {
    case SEEK_SET: base = 0; break;
    case SEEK_CUR: base = m->pos; break;
    case SEEK_END: base = m->size; break;
    default: return AVERROR(EINVAL);
    }
    if (offset < -base || offset > m->size - base) return AVERROR(EINVAL);
    m->pos = base + offset;
    return m->pos;
}

/// Refuses every open the demuxer asks for (a playlist's entries, a concat list's files, ...).
static inline int cff_refuse_open(struct AVFormatContext *s, AVIOContext **pb, const char *url, int flags, AVDictionary **options) {
    (void)s; (void)pb; (void)url; (void)flags; (void)options;
    return AVERROR(EPERM);
}

/// The demuxers an input may be read with: video containers and single still images.
static inline const char *cff_demuxer_whitelist(void) {
    return "mov,mp4,m4a,3gp,3g2,mj2,matroska,webm,avi,mpegts,mpeg,flv,ogg,asf,h264,hevc,m4v,mjpeg,ivf,yuv4mpegpipe,"
           "gif,image2,png_pipe,jpeg_pipe,bmp_pipe,webp_pipe,tiff_pipe,ppm_pipe,pgm_pipe,pgmyuv_pipe,pbm_pipe,pam_pipe,"
           "jpegls_pipe,j2k_pipe,dpx_pipe,exr_pipe,qoi_pipe,gif_pipe,dds_pipe,psd_pipe,sgi_pipe,sunrast_pipe,xbm_pipe,xpm_pipe,xwd_pipe";
}

/// Frees an AVIOContext made by cff_open_source, with its buffer, its bytes or its file descriptor.
static inline void cff_free_source_io(AVIOContext *pb) {
    if (!pb) return;
    cff_source *m = (cff_source *)pb->opaque;
    av_freep(&pb->buffer);
    avio_context_free(&pb);
    if (m) {
        if (m->fd >= 0) close(m->fd);
        av_free(m->data);
        av_free(m);
    }
}

/// Opens an input from `size` bytes (copied; fd -1) or from the open file `fd` (which it then owns and
/// closes, also on failure). On success *out owns everything; close it with cff_close_input(out, 1).
static inline int cff_open_source(AVFormatContext **out, const uint8_t *bytes, size_t size, int fd) {
    const int bufferSize = 1 << 18;
    AVFormatContext *fmt = avformat_alloc_context();
    cff_source *m = (cff_source *)av_mallocz(sizeof *m);
    uint8_t *copy = fd >= 0 ? NULL : (uint8_t *)av_malloc(size ? size : 1);
    unsigned char *buffer = (unsigned char *)av_malloc(bufferSize);
    char *whitelist = av_strdup(cff_demuxer_whitelist());
    AVIOContext *pb = (fmt && m && (fd >= 0 || copy) && buffer && whitelist)
        ? avio_alloc_context(buffer, bufferSize, 0, m, cff_source_read, NULL, cff_source_seek) : NULL;
    if (!pb) {
        avformat_free_context(fmt); av_free(m); av_free(copy); av_free(buffer); av_free(whitelist);
        if (fd >= 0) close(fd);
        return AVERROR(ENOMEM);
    }
    m->fd = fd;
    if (fd >= 0) {
        struct stat st;
        m->size = fstat(fd, &st) == 0 ? (int64_t)st.st_size : 0;
    } else {
        memcpy(copy, bytes, size);
        m->data = copy;
        m->size = (int64_t)size;
    }
    fmt->pb = pb;
    fmt->flags |= AVFMT_FLAG_CUSTOM_IO;
    fmt->format_whitelist = whitelist;
    fmt->io_open = cff_refuse_open;
    int rc = avformat_open_input(&fmt, NULL, NULL, NULL);  // frees fmt (and the whitelist) on failure, not pb
    if (rc < 0) { cff_free_source_io(pb); return rc; }
    *out = fmt;
    return 0;
}

/// Opens `size` bytes (copied) as an input file.
static inline int cff_open_memory_input(AVFormatContext **out, const uint8_t *bytes, size_t size) {
    return cff_open_source(out, bytes, size, -1);
}

/// Closes an input opened by avformat_open_input (custom 0) or by cff_open_source (1).
static inline void cff_close_input(AVFormatContext **ctx, int custom) {
    if (!ctx || !*ctx) return;
    AVIOContext *pb = custom ? (*ctx)->pb : NULL;
    avformat_close_input(ctx);
    cff_free_source_io(pb);
}
/// glibc's mallopt for the heap that holds decoded frames (`FrameMemory`): buffers up to `mmap_max` bytes
/// come from the heap, and up to `trim` free bytes at its top are kept (<malloc.h>'s macros).
static inline void cff_keep_freed_buffers(int mmap_max, int trim) {
    mallopt(M_MMAP_THRESHOLD, mmap_max);
    mallopt(M_TRIM_THRESHOLD, trim);
}

#endif
