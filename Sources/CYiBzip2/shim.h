#ifndef CYI_BZIP2_SHIM_H
#define CYI_BZIP2_SHIM_H
#include <bzlib.h>
#endif
