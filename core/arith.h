/* Arithmetic both halves of the compiled core share (narrow.c in double, wide.c in double-double):
   FMA or its exact emulation, bit-level helpers that vectorize, rounding to odd. */
#ifndef ACTCLI_ARITH_H
#define ACTCLI_ARITH_H

#include <stdint.h>
#include <stddef.h>
#include <string.h>

#if defined(__FMA__) || defined(__aarch64__)
#define FMA(a, b, c) __builtin_fma((a), (b), (c))
#else
/* Dekker's product: exact without an FMA instruction (no operand here is beyond 2**996). */
static inline double fma_dekker(double a, double b, double c) {
    const double split = 134217729.0; /* 2**27 + 1 */
    double ta = split * a, a_hi = ta - (ta - a), a_lo = a - a_hi;
    double tb = split * b, b_hi = tb - (tb - b), b_lo = b - b_hi;
    double p = a * b;
    double e = ((a_hi * b_hi - p) + a_hi * b_lo + a_lo * b_hi) + a_lo * b_lo;
    return (p + c) + e; /* used only as FMA(a, b, -(a*b)) = e, or where c is small */
}
#define FMA(a, b, c) fma_dekker((a), (b), (c))

#endif

/* A polynomial step: fused where the processor has FMA (one rounding fewer, half the latency);
   the bounds of docs/core.md hold for either. */
#if defined(__FMA__) || defined(__aarch64__)
#define STEP(p, r, c) __builtin_fma((p), (r), (c))
#else
#define STEP(p, r, c) ((p) * (r) + (c))

#endif

static inline uint64_t bits_of(double x) { uint64_t u; memcpy(&u, &x, 8); return u; }
static inline double from_bits(uint64_t u) { double x; memcpy(&x, &u, 8); return x; }
static inline double abs_of(double x) { return from_bits(bits_of(x) & 0x7fffffffffffffffULL); }
static inline double sign_of(double x, double s) {
    return from_bits((bits_of(x) & 0x7fffffffffffffffULL) | (bits_of(s) & 0x8000000000000000ULL));
}
static inline double min_of(double a, double b) { return b < a ? b : a; }
static inline double max_of(double a, double b) { return b > a ? b : a; }
static inline double clamp(double x, double low, double high) { return min_of(max_of(x, low), high); }
/* v where the condition holds, else +0.0, as a bit mask: GCC turns `c ? 1.0 : 0.0` into an
   integer-to-double conversion that AVX2 lacks, and then does not vectorize the loop. */
static inline double only_if(int condition, double v) {
    return from_bits(bits_of(v) & (uint64_t)-(int64_t)condition);
}

/* Round to odd: the double of hi + lo (|lo| <= ulp(hi)/2, both exact) that keeps a sticky bit,
   so that one more rounding into a format of at most 51 bits is the correct one. */
static inline double round_to_odd(double hi, double lo) {
    /* toward zero, then the sticky bit: hi one step toward zero where lo has the other sign.
       Integer arithmetic only (no comparison masks), which every loop vectorizes. */
    uint64_t u = bits_of(hi), l = bits_of(lo) << 1;
    uint64_t inexact = (l | (0 - l)) >> 63;
    uint64_t toward_zero = ((bits_of(lo) ^ u) >> 63) & inexact;
    return from_bits((u - toward_zero) | inexact);
}

/* A table's row for the integer-valued i, kept in [0, rows) and 0 for NaN (the loop puts the NaN
   back), by min and max: a conditional of two comparisons keeps GCC from vectorizing the loop.
   Tables are then read as one flat array, at row·width + column: a two-dimensional index does not
   become a gather either. */
static inline double table_row(double i, int rows) { return min_of(max_of(0.0, i), rows - 1); }

#define SHIFTER 0x1.8p52 /* (v + SHIFTER) - SHIFTER rounds v to an integer, for |v| < 2**51 */

/* 2**k for an integer k in [-1022, 1023], from its bits. */
static inline double pow2(double k) {
    uint64_t n = bits_of(k + SHIFTER) - bits_of(SHIFTER);
    return from_bits((n + 1023) << 52);
}

/* The block's doubtful indices appended (rarely any: memchr looks first). The flags are as
   wide as a double: a narrower type would set the loops' vectorization factor (32 chars to a
   register) and spread each double over eight registers, which spill. */
typedef int64_t flag_t;
static inline ptrdiff_t collect(const flag_t *flag, ptrdiff_t m, ptrdiff_t start,
                                ptrdiff_t *doubtful, ptrdiff_t count) {
    if (memchr(flag, 1, (size_t)m * sizeof *flag))
        for (ptrdiff_t i = 0; i < m; i++) doubtful[count] = start + i, count += (ptrdiff_t)flag[i];
    return count;
}


/* The loops' frame: n values of TYPE from x to out in blocks whose values stay in the cache.
   The body, run for each i of a block (vectorized: the pragma says no output aliases a table the
   body reads), reads xs[i] and writes ys[i] and flag[i] (1: doubtful); after each block the
   doubtful indices are appended to doubtful. Leaves their number in count. */
#define BLOCK 512
#define BLOCKS(type, ...)                                                                          \
    ptrdiff_t count = 0;                                                                           \
    for (ptrdiff_t start = 0; start < n; start += BLOCK) {                                         \
        ptrdiff_t m = n - start < BLOCK ? n - start : BLOCK;                                       \
        flag_t flag[BLOCK];                                                                        \
        const type *restrict xs = x + start;                                                       \
        type *restrict ys = out + start;                                                           \
        _Pragma("GCC ivdep")                                                                       \
        for (ptrdiff_t i = 0; i < m; i++) { __VA_ARGS__ }                                          \
        count = collect(flag, m, start, doubtful, count);                                          \
    }

#endif
