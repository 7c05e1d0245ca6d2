// SHA-256 compression (FIPS 180-4) on the x86 SHA extensions. The state is kept as the two
// registers the instructions work on, ABEF and CDGH (A in the highest lane). Each group of
// four rounds adds the round constants to four message words; sha256rnds2 does two rounds
// with the low two words, then the high two are shuffled down for the next two. The message
// schedule W[t] = s1(W[t-2]) + W[t-7] + s0(W[t-15]) + W[t-16] is built four words at a time:
// sha256msg1 gives W[t-16] + s0(W[t-15]) for the group, the W[t-7] words are an alignr of the
// two previous groups, and sha256msg2 adds the s1 terms (which depend on the group's own first
// words). The functions carry target attributes, so the file builds for any x86-64 and the
// code runs only after the CPU check.
#include "csha256.h"

static const uint32_t round_constants[64] = {
    0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
    0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
    0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
    0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
    0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
    0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
    0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
    0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2};

const uint32_t *csha256_round_constants(void) { return round_constants; }

#if defined(__x86_64__)
#include <immintrin.h>

int csha256_hardware_available(void) {
    __builtin_cpu_init();
    return __builtin_cpu_supports("sha") && __builtin_cpu_supports("sse4.1") && __builtin_cpu_supports("ssse3");
}

__attribute__((target("sha,sse4.1,ssse3")))
void csha256_hardware_blocks(uint32_t state[8], const uint8_t *data, size_t blocks) {
    // Big-endian words: reverse the bytes of each 32-bit lane.
    const __m128i byte_swap = _mm_set_epi64x(0x0c0d0e0f08090a0bULL, 0x0405060700010203ULL);
    __m128i abcd = _mm_loadu_si128((const __m128i *)&state[0]);   // lanes A, B, C, D
    __m128i efgh = _mm_loadu_si128((const __m128i *)&state[4]);   // lanes E, F, G, H
    __m128i badc = _mm_shuffle_epi32(abcd, 0xB1);                 // lanes B, A, D, C
    __m128i hgfe = _mm_shuffle_epi32(efgh, 0x1B);                 // lanes H, G, F, E
    __m128i abef = _mm_alignr_epi8(badc, hgfe, 8);                // lanes F, E, B, A
    __m128i cdgh = _mm_blend_epi16(hgfe, badc, 0xF0);             // lanes H, G, D, C
    for (; blocks > 0; blocks--, data += 64) {
        const __m128i abef_start = abef, cdgh_start = cdgh;
        __m128i w[4];   // the last four groups of message words, w[i % 4] is group i
        for (int i = 0; i < 16; i++) {
            __m128i group;
            if (i < 4) {
                group = _mm_shuffle_epi8(_mm_loadu_si128((const __m128i *)(data + 16 * i)), byte_swap);
            } else {
                __m128i partial = _mm_sha256msg1_epu32(w[(i - 4) % 4], w[(i - 3) % 4]);
                partial = _mm_add_epi32(partial, _mm_alignr_epi8(w[(i - 1) % 4], w[(i - 2) % 4], 4));
                group = _mm_sha256msg2_epu32(partial, w[(i - 1) % 4]);
            }
            w[i % 4] = group;
            __m128i message = _mm_add_epi32(group, _mm_loadu_si128((const __m128i *)&round_constants[4 * i]));
            cdgh = _mm_sha256rnds2_epu32(cdgh, abef, message);            // rounds 4i, 4i+1: new ABEF in cdgh
            message = _mm_shuffle_epi32(message, 0x0E);
            abef = _mm_sha256rnds2_epu32(abef, cdgh, message);            // rounds 4i+2, 4i+3
        }
        abef = _mm_add_epi32(abef, abef_start);
        cdgh = _mm_add_epi32(cdgh, cdgh_start);
    }
    // Back to A..D and E..H.
    __m128i feba = _mm_shuffle_epi32(abef, 0x1B);                 // lanes A, B, E, F
    __m128i dchg = _mm_shuffle_epi32(cdgh, 0xB1);                 // lanes G, H, C, D
    abcd = _mm_blend_epi16(feba, dchg, 0xF0);                     // lanes A, B, C, D
    efgh = _mm_alignr_epi8(dchg, feba, 8);                        // lanes E, F, G, H
    _mm_storeu_si128((__m128i *)&state[0], abcd);
    _mm_storeu_si128((__m128i *)&state[4], efgh);
}

#else

int csha256_hardware_available(void) { return 0; }
void csha256_hardware_blocks(uint32_t state[8], const uint8_t *data, size_t blocks) {
    (void)state; (void)data; (void)blocks;
}

#endif
