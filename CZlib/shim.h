#ifndef CZLIB_SHIM_H
#define CZLIB_SHIM_H

#include <zlib.h>

/* deflateInit2 and inflateInit2 are macros (they pass the version and the struct size):
   Swift cannot call them, so these do. windowBits 15 + 16 reads and writes the gzip format;
   + 32 on inflate also accepts a zlib header. */
static inline int cz_deflate_init_gzip(z_stream *s, int level) {
    return deflateInit2(s, level, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY);
}
static inline int cz_inflate_init_gzip(z_stream *s) {
    return inflateInit2(s, 15 + 32);
}

#endif
