/* The tally of an exhaustive audit's chunk (actcli.exhaustive.tally): which of a subject's
   outputs are wrong, by how many ULPs, and the counts of the report, in one pass. NumPy took
   about a dozen passes over the wrong outputs, a third of the whole audit's time. */
#include <math.h>
#include <stdint.h>
#include <string.h>

#include "core.h"

static inline uint32_t bits32(float v) { uint32_t u; memcpy(&u, &v, 4); return u; }
static inline uint64_t bits64(double v) { uint64_t u; memcpy(&u, &v, 8); return u; }
static inline double from_bits64(uint64_t u) { double v; memcpy(&v, &u, 8); return v; }

/* The spacing of the format's values at a finite magnitude m: 2**(max(e, emin) - (precision - 1)),
   e the exponent of m from its bits (a subnormal double's reads as -1023, below every emin), as
   actcli.formats.Format.quantum builds it. */
static inline double quantum(double m, int emin, int precision) {
    int e = (int)((bits64(m) >> 52) & 0x7ff) - 1023;
    e = (e < emin ? emin : e) - (precision - 1);
    return from_bits64((uint64_t)(e + 1023) << 52);
}

/* The bin of actcli.audit.histogram_of: 0 for no error, then (0, 0.5], (0.5, 1], (1, 2], ...,
   (2**19, 2**20], above 2**20, and last the non-finite errors. From the bits: an error of
   exponent e is above the edges 0.5·2**k for k < e + 1, and for k = e + 1 too unless it is that
   power of two itself. */
static inline int bin_of(double error) {
    uint64_t bits = bits64(error);
    int edges_below = (int)(bits >> 52) - 1022 + ((bits & 0xfffffffffffffULL) != 0);
    edges_below = edges_below < 0 ? 0 : edges_below > CORE_TALLY_BINS - 3 ? CORE_TALLY_BINS - 3 : edges_below;
    return error == 0 ? 0 : error < INFINITY ? 1 + edges_below : CORE_TALLY_BINS - 1;
}

/* 0 or 1: glibc's isinf gives -1 for -inf */
static inline int is_nan(double v) { return v != v; }
static inline int is_inf(double v) { return fabs(v) == INFINITY; }
static inline int is_finite(double v) { return fabs(v) < INFINITY; }
static inline int same(double a, double b) { return a == b || (is_nan(a) && is_nan(b)); }

ptrdiff_t core_tally(const float *x, const float *y, const float *correct, const double *exact, ptrdiff_t n,
                     int emin, int precision, ptrdiff_t *wrong, double *errors, int64_t *counts) {
    /* in locals, not through counts: the output arrays might alias it, which would keep every
       count in memory */
    int64_t exact_outputs = 0, nan = 0, infinite_input = 0, overflow = 0, signed_zero = 0, within_1ulp = 0;
    int64_t histogram[CORE_TALLY_BINS] = {0};
    ptrdiff_t found = 0;
    for (ptrdiff_t i = 0; i < n; i++) {
        double v = y[i], c = correct[i], r = exact[i];
        int both_zero = v == 0 && c == 0, both_nan = is_nan(v) && is_nan(c);
        /* bin 0: the exact double itself, or a correct infinity or NaN (audit's rule) */
        exact_outputs += v == r || (!is_finite(v) && same(v, c));
        signed_zero += both_zero && !signbit(v) != !signbit(c);
        if (bits32(y[i]) == bits32(correct[i]) || both_zero || both_nan) continue;
        /* audit.ulp_errors: |y - exact| in ULPs of the format at |exact|, inf where either is not
           finite, but for a non-finite y that is the correct rounding */
        int finite = is_finite(v) && is_finite(r);
        double error = finite ? fabs(v - r) / quantum(fabs(r), emin, precision) : INFINITY;
        error = !finite && same(v, c) ? 0.0 : error;
        wrong[found] = i, errors[found++] = error;
        histogram[bin_of(error)]++;
        nan += is_nan(v) != is_nan(c);
        infinite_input += is_inf(x[i]);
        overflow += !is_inf(x[i]) && (is_inf(v) || is_inf(c)) && !is_nan(v) && !is_nan(c);
        within_1ulp += error <= 1;
    }
    int64_t named[] = {exact_outputs, nan, infinite_input, overflow, signed_zero, within_1ulp};
    memcpy(counts, named, sizeof named);
    memcpy(counts + CORE_TALLY_COUNTS - CORE_TALLY_BINS, histogram, sizeof histogram);
    return found;
}
