#ifndef CYI_ZSTD_SHIM_H
#define CYI_ZSTD_SHIM_H
#include <zstd.h>
#include <zstd_errors.h>
#endif
