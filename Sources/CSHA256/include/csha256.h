// SHA-256 block compression with the x86 SHA extensions (SHA-NI), for Checksums.
#ifndef CSHA256_H
#define CSHA256_H
#include <stddef.h>
#include <stdint.h>

/// The 64 round constants K of FIPS 180-4 (the one copy, also used by the portable code).
const uint32_t *_Nonnull csha256_round_constants(void);

/// 1 when this CPU has the SHA extensions (and SSSE3/SSE4.1) and the blocks function may be
/// called, else 0 (other CPUs, other architectures).
int csha256_hardware_available(void);

/// Compresses `blocks` 64-byte blocks at `data` into `state` (H0..H7 as FIPS 180-4 numbers).
/// Only call when csha256_hardware_available() returned 1.
void csha256_hardware_blocks(uint32_t state[8], const uint8_t *data, size_t blocks);

#endif
