#ifndef CYI_PREFETCH_H
#define CYI_PREFETCH_H

/// Asks the CPU to start loading the cache line at `address` for reading (Swift has no
/// prefetch of its own). A hint only: it never faults and never changes what a program computes.
static inline void yi_prefetch(const void *address) {
    __builtin_prefetch(address, 0, 3);
}

#endif
