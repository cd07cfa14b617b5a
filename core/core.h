/* The compiled core's shared declarations: formats, and the kernels of narrow.c (compiled once
   for each instruction set; CORE_KERNELS_NAME names that build's table). */
#ifndef ACTCLI_CORE_H
#define ACTCLI_CORE_H

#include <stddef.h>
#include <stdint.h>

/* A binary format below float64: precision_scale = 2**(1 - precision), least_quantum = its
   smallest subnormal, largest = its largest finite value, overflow = what lies beyond it. */
struct core_format {
    double precision_scale, least_quantum, largest, overflow;
};

/* Each loop evaluates n values, writes the results and the indices of the doubtful ones, and
   returns how many are doubtful. parameters: at least 4 doubles. */
typedef ptrdiff_t core_float32_loop(const float *x, float *out, ptrdiff_t *doubtful, ptrdiff_t n,
                                    const double *parameters, const struct core_format *format);
typedef ptrdiff_t core_double_loop(const double *x, double *out, ptrdiff_t *doubtful, ptrdiff_t n,
                                   const double *parameters, const struct core_format *format);

struct core_kernel {
    const char *name;  /* the reference kernel's name in actcli/kernels.py; gelu_tanh for its tanh form */
    core_float32_loop *float32;  /* float32 in and out, correctly rounded but for the doubtful */
    core_double_loop *narrow;  /* a narrow format's values in, unrounded doubles out */
    int bound;  /* relative error bound, in units of 2**-53; 0: the result is exact */
};

/* wide.c: float64 in and out, correctly rounded but for the doubtful (whose out is the fast
   path's nearest double); bound: the relative error bound of its double-double evaluation. */
struct core_wide_kernel {
    const char *name;
    core_double_loop *float64;
    /* the unrounded pairs hi + lo, and the scale the bound is relative to (0: exact) */
    void (*parts)(const double *x, double *hi, double *lo, double *scale, ptrdiff_t n, const double *parameters);
    double bound;
    /* for the audits of float32: float32 in; out the fast path's double rounded into float32, and
       exact that double; doubtful also where the double is exactly a midpoint of float32 */
    ptrdiff_t (*float32)(const float *x, float *out, double *exact, ptrdiff_t *doubtful, ptrdiff_t n,
                         const double *parameters);
};

/* decimal.c: read numbers from text (the values, how many, and the newlines passed; returns where
   it stopped: the end, or the start of the first line it leaves to the caller), and write rows of
   doubles as repr spells them (at most 25 bytes a value, separator or newline included). */
ptrdiff_t core_read_decimal(const char *text, ptrdiff_t n, double *out, ptrdiff_t *count,
                            ptrdiff_t *lines);
ptrdiff_t core_write_rows(const double *const *columns, const ptrdiff_t *strides, int width,
                          ptrdiff_t rows, char separator, char *out);

/* tally.c: for actcli.exhaustive.tally, over n inputs x (values of a format of at most 32 bits,
   with emin and precision, as float32, as are the subject's outputs y and the correct ones),
   against the exact doubles: the indices of the wrong outputs (other bits than the correct ones,
   but for zeros of either sign and NaN beside NaN) and their errors in ULPs of the format
   (actcli.audit.ulp_errors'); returns how many. counts gets CORE_TALLY_COUNTS numbers: those
   named below, then the bins of actcli.audit.histogram_of over the wrong outputs' errors. */
enum {
    CORE_TALLY_EXACT,          /* outputs equal to the exact double, or a correct infinity or NaN */
    CORE_TALLY_NAN,            /* (DISAGREEMENTS order) wrong outputs where one of the two is NaN, */
    CORE_TALLY_INFINITE_INPUT, /* wrong outputs at an infinite input, */
    CORE_TALLY_OVERFLOW,       /* wrong outputs where one of the two overflowed, */
    CORE_TALLY_SIGNED_ZERO,    /* a zero where the correct result is the other zero */
    CORE_TALLY_WITHIN_1ULP,    /* wrong outputs within 1 ULP */
    CORE_TALLY_BINS = 25,
    CORE_TALLY_COUNTS = CORE_TALLY_WITHIN_1ULP + 1 + CORE_TALLY_BINS,
};
ptrdiff_t core_tally(const float *x, const float *y, const float *correct, const double *exact, ptrdiff_t n,
                     int emin, int precision, ptrdiff_t *wrong, double *errors, int64_t *counts);

extern const struct core_kernel core_kernels_baseline[];
extern const struct core_kernel core_kernels_v3[];
extern const struct core_wide_kernel core_wide_kernels_baseline[];
extern const struct core_wide_kernel core_wide_kernels_v3[];

#endif
