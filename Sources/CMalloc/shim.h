#ifndef CMALLOC_SHIM_H
#define CMALLOC_SHIM_H
/// The C library's allocator settings (`mallopt`), which the platform module does not export.
#if defined(__GLIBC__) || defined(__linux__)
#include <malloc.h>
#endif
#endif
