// FreeType for Swift (the text of `facescan draw`): a few wrappers, so that Swift needs neither FreeType's
// macros (FT_LOAD_RENDER, 26.6 fixed point) nor its nested structs.
#ifndef FACESCAN_CFREETYPE_SHIM_H
#define FACESCAN_CFREETYPE_SHIM_H

#include <ft2build.h>
#include FT_FREETYPE_H

/// One rendered glyph: an 8-bit coverage bitmap, its offset from the pen position (left, and top above
/// the baseline) and the pen's advance, in pixels. The buffer is valid until the next glyph is loaded.
typedef struct {
    int width, rows, pitch, left, top, advance;
    const unsigned char *buffer;
} cft_glyph;

/// Opens a font file at a pixel size. Returns 0 or a FreeType error.
static inline int cft_open(const char *path, int pixels, FT_Library *library, FT_Face *face) {
    int e = FT_Init_FreeType(library);
    if (e) return e;
    e = FT_New_Face(*library, path, 0, face);
    if (e) { FT_Done_FreeType(*library); return e; }
    e = FT_Set_Pixel_Sizes(*face, 0, (FT_UInt)pixels);
    if (e) { FT_Done_Face(*face); FT_Done_FreeType(*library); return e; }
    return 0;
}

static inline void cft_close(FT_Library library, FT_Face face) {
    FT_Done_Face(face);
    FT_Done_FreeType(library);
}

/// Renders the glyph of a Unicode code point (anti-aliased). Returns 0 or a FreeType error.
static inline int cft_glyph_of(FT_Face face, unsigned long code, cft_glyph *g) {
    int e = FT_Load_Char(face, code, FT_LOAD_RENDER);
    if (e) return e;
    FT_GlyphSlot s = face->glyph;
    g->width = (int)s->bitmap.width;
    g->rows = (int)s->bitmap.rows;
    g->pitch = s->bitmap.pitch;
    g->left = s->bitmap_left;
    g->top = s->bitmap_top;
    g->advance = (int)(s->advance.x >> 6);
    g->buffer = s->bitmap.buffer;
    return 0;
}

/// Ascender and descender (negative) of the sized face, in pixels.
static inline int cft_ascender(FT_Face face) { return (int)(face->size->metrics.ascender >> 6); }
static inline int cft_descender(FT_Face face) { return (int)(face->size->metrics.descender >> 6); }
#endif
