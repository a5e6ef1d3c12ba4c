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
#endif
