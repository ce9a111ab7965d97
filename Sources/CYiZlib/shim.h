#ifndef CYI_ZLIB_SHIM_H
#define CYI_ZLIB_SHIM_H
#include <zlib.h>
/* inflateInit2 is a macro over inflateInit2_: give Swift a function. */
static inline int cyi_inflate_init2(z_stream *strm, int windowBits) {
    return inflateInit2(strm, windowBits);
}
#endif
