/* The compiled core's fast path for the formats below float64 (float32, float16, bfloat16, float8).

Every activation and derivative is evaluated in double, one fused pass per value, with branch-free
code that the compiler vectorizes. Each kernel has a relative error bound E (in units of
u = 2**-53), derived in docs/core.md and checked by tests/test_core.py: the exact result lies
within E·|y| + 2**-1060 of the computed y. The rounding test then asks whether y - e and y + e
round to the same number of the format; if so, that number is the correctly rounded result (y
rounded into the format once, directly from the double). If not, the value is doubtful
and the caller settles it on the accurate path (actcli.kernels at double-double precision, then
mpmath), as CORE-MATH and RLIBM do. Exact results (clamps, x·slope kept exactly, rounded to odd)
have E = 0 and are never doubtful.

No libm function is called (sqrt is IEEE's, correctly rounded everywhere), so the doubtful set
and every result are the same on every platform. This file is compiled twice, for the baseline
instruction set and for x86-64-v3 (AVX2 and FMA); module.c picks one at run time. Inputs are
values of a format no wider than float32, so |x| <= 2**128 and x² cannot overflow a double.
*/

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "core.h"
#include "constants.h"
#include "arith.h"
#include "piecewise.h"

#define U 0x1p-53
#define TINY 0x1p-1060

/* a + b rounded to odd (Knuth's two-sum gives the rounding error exactly). */
static inline double sum_to_odd(double a, double b) {
    double s = a + b, bb = s - a;
    return abs_of(s) <= 0x1.fffffffffffffp1023 ? round_to_odd(s, (a - (s - bb)) + (b - bb)) : s;
}

/* --- e^x ----------------------------------------------------------------------------------- */
/* e^(x + xl) = m·2**k, |m - 1| < 0.42: x = k·ln 2 + r, |r| <= ln2/2 (Cody and Waite, ln 2 in two
   parts, k·LN2_HI exact), e^r by its Taylor series to r**13 (the rest is below 2**-57.7 of it).
   No table: a gather would keep the loops from vectorizing on AVX2. Relative error of m: at most
   2.5u (docs/core.md). */
#define LN2_HI 0x1.62e42fee00000p-1
#define LN2_LO 0x1.a39ef35793c76p-33
#define LOG2E 0x1.71547652b82fep0

/* 1/k! for k = 2..13 */
static const double INV_FACTORIAL[12] = {
    0x1.0000000000000p-1, 0x1.5555555555555p-3, 0x1.5555555555555p-5, 0x1.1111111111111p-7,
    0x1.6c16c16c16c17p-10, 0x1.a01a01a01a01ap-13, 0x1.a01a01a01a01ap-16, 0x1.71de3a556c734p-19,
    0x1.27e4fb7789f5cp-22, 0x1.ae64567f544e4p-26, 0x1.1eed8eff8d898p-29, 0x1.6124613a86d09p-33};

/* (e^r - 1 - r)/r², by Horner's rule from the last term. */
static inline double exp_tail(double r) {
    double p = INV_FACTORIAL[11];
    #pragma GCC unroll 32
    for (int i = 10; i >= 0; i--) p = STEP(p, r, INV_FACTORIAL[i]);
    return p;
}

static inline double exp_reduced(double x, double xl, double *k) {
    xl = abs_of(x) < 1100.0 ? xl : 0.0; /* beyond, the result is 0 or inf whatever xl is */
    x = clamp(x, -1100.0, 1100.0);
    double kd = (x * LOG2E + SHIFTER) - SHIFTER; /* rint, in round-to-nearest */
    double r = (x - kd * LN2_HI) - kd * LN2_LO + xl;
    *k = kd;
    return 1.0 + (r + (r * r) * exp_tail(r));
}

/* m·2**k for |k| <= 1600: two exact factors, one rounding (into the subnormals, or to inf). */
static inline double scale(double m, double k) {
    double k1 = clamp(k, -1000.0, 1000.0);
    return (m * pow2(k1)) * pow2(k - k1);
}

static inline double exp_of(double x, double xl) {
    double k, m = exp_reduced(x, xl, &k);
    return scale(m, k);
}

/* e^x - 1: the series for |x| < 0.35 (x + x²·P(x), no cancellation beyond a factor 1.25), else
   e^x - 1, whose relative error is at most 3.4 times that of e^x there. Error: 9u. */
static inline double expm1_of(double x) {
    double series = x + (x * x) * exp_tail(x);
    double wide = exp_of(x, 0.0) - 1.0;
    return x == 0 ? x : abs_of(x) < 0.35 ? series : wide; /* expm1(-0) = -0 */
}

/* log(1 + t) for t >= 0 (or t > -0.29): u = 1 + t rounded and the rounding's share added back,
   log u = j·ln 2 + 2·atanh(s), s = (f - 1)/(f + 1), f = u/2**j in [0.707, 1.414).
   Error: 6u (docs/core.md). */
static inline double log1p_of(double t) {
    double u = 1.0 + t;
    double correction = (t - (u - 1.0)) / u;
    uint64_t ub = bits_of(u);
    /* j such that f = u·2**-j lies in [0.707, 1.414): shift the exponent by the top mantissa bits */
    uint64_t shifted = ub + (0x3ff0000000000000ULL - 0x3fe6a09e667f3bcdULL);
    double j = from_bits((shifted >> 52) | 0x4330000000000000ULL) - 0x1p52 - 1023.0; /* exact */
    double f = from_bits(ub - (((shifted >> 52) - 1023) << 52));
    double s = (f - 1.0) / (f + 1.0), s2 = s * s;
    double p = 1.0 / 25;
    p = STEP(p, s2, 1.0 / 23);
    p = STEP(p, s2, 1.0 / 21);
    p = STEP(p, s2, 1.0 / 19);
    p = STEP(p, s2, 1.0 / 17);
    p = STEP(p, s2, 1.0 / 15);
    p = STEP(p, s2, 1.0 / 13);
    p = STEP(p, s2, 1.0 / 11);
    p = STEP(p, s2, 1.0 / 9);
    p = STEP(p, s2, 1.0 / 7);
    p = STEP(p, s2, 1.0 / 5);
    p = STEP(p, s2, 1.0 / 3);
    double log_f = 2.0 * s + (2.0 * s) * (s2 * p);
    return (j * LN2_HI + (log_f + (j * LN2_LO + correction)));
}

/* σ-parts of v: t = e^-|v| and r = 1/(1 + t) = σ(|v|), so σ(-|v|) = t·r and σ'(v) = t·r². */
static inline double logistic(double v, double vl, double *r) {
    double t = exp_of(-abs_of(v), v < 0 ? vl : -vl);
    *r = 1.0 / (1.0 + t);
    return t;
}

/* --- Φ and φ through erfcx ----------------------------------------------------------------- */
/* erfcx(z) = e^(z²)·erfc(z) for 0 <= z <= 28.3 from the Taylor table (actcli/erfcx_table.npy):
   a0 (two parts) + a1·d + d²·P(d), |d| <= 1/64. Error: 1.5u. */
static inline double erfcx_of(double z) {
    double i = table_row((z * 32.0 + SHIFTER) - SHIFTER, ERFCX_NODES);
    double d = z - i * 0x1p-5;
    const double *table = &ERFCX[0][0];
    int row = (int)i * ERFCX_WIDTH;
    double p = table[row + ERFCX_WIDTH - 1];
    #pragma GCC unroll 32
    for (int column = ERFCX_WIDTH - 2; column > 2; column--) p = STEP(p, d, table[row + column]);
    return table[row] + (table[row + 2] * d + (table[row + 1] + d * d * p));
}

/* For |x| <= 40: e^(-x²/2) (x² exact as two parts) and c = erfcx(|x|/√2)/2, so that
   Φ(-|x|) = e·c and φ(x) = e/√(2π). */
static inline double normal_parts(double x, double *c) {
    double square = x * x, square_lo = FMA(x, x, -square);
    *c = 0.5 * erfcx_of(abs_of(x) * INV_SQRT2[0]);
    return exp_of(-0.5 * square, -0.5 * square_lo);
}

/* f'(x) near an interior zero x0: h·(c1 + c2·h + h²·P(h)), h = x - x0 (scripts/root_series.py). */
#define ROOT_RADIUS 0.25
static inline double near_root(double x, const double *root, const double *lead, const double *series,
                               int terms) {
    double h = (x - root[0]) - root[1];
    double p = series[terms - 1];
    #pragma GCC unroll 32
    for (int i = terms - 2; i >= 0; i--) p = STEP(p, h, series[i]);
    return h * (lead[0] + (lead[2] * h + (lead[1] + h * h * p)));
}
#define NEAR_ROOT(x, NAME) near_root((x), NAME##_ROOT, NAME##_LEAD, NAME##_SERIES, \
                                     (int)(sizeof NAME##_SERIES / sizeof NAME##_SERIES[0]))

/* --- the kernels: value(x, parameters, bound) ---------------------------------------------- */
/* A derivative at a kink gives the registry's default convention (PyTorch's, else JAX's), as
   the ufuncs do; actcli.compute sets the other conventions' values. */
/* Each returns the double y; the NaN of x is put back by the loop. *b holds the kernel's error
   bound (in units of 2**-53), which a branch whose result is exact, or rounded to odd from an
   exact pair, sets to 0. Branches are selections of values computed on both sides, which the
   compiler turns into vector blends. */

/* Near 0: slope·x + bend·x² with slope·x exact (slope a power of two) and bend·x² far below its
   last bit, rounded to odd: the side of a midpoint that slope·x may be is then right. */
#define NEAR_ZERO 0x1p-60
static inline double near_zero(double x, double slope, double bend, double y, double *b) {
    int tiny = abs_of(x) < NEAR_ZERO;
    *b = tiny ? 0.0 : *b;
    return tiny ? round_to_odd(slope * x, bend * x * x) : y;
}

/* a/d rounded to odd, for a/d that is not subnormal: the division's remainder is exact. */
static inline double divide_to_odd(double a, double d) {
    double q = a / d;
    double remainder = FMA(-q, d, a);
    return round_to_odd(q, d > 0 ? remainder : -remainder);
}

static inline double times_exactly(double x, double slope) { /* x·slope rounded to odd */
    double y = x * slope;
    return abs_of(y) <= 0x1.fffffffffffffp1023 ? round_to_odd(y, FMA(x, slope, -y)) : y;
}
static inline double slope_unit(double x, double slope) {
    return x > 0 ? x : x == -__builtin_inf() && slope == 0 ? 0.0 : times_exactly(x, slope);
}
static inline double leaky_relu(double x, const double *p, double *b) { return slope_unit(x, P(0)); }
static inline double prelu(double x, const double *p, double *b) { return leaky_relu(x, p, b); }
static inline double rrelu(double x, const double *p, double *b) {
    double s = 0.5 * P(0) + 0.5 * P(1), bb = s - 0.5 * P(0);
    double s_lo = (0.5 * P(0) - (s - bb)) + (0.5 * P(1) - bb);
    /* x·s exactly is y + e (FMA) + x·s_lo; the last is 2**-53 of y at most and computed to 2**-53 of
       itself, so the sum's sign is right unless it is below 2**-100 of y: then the bound stands */
    double y = x * s, e = FMA(x, s, -y), lo = e + x * s_lo;
    *b = abs_of(lo) > 0x1p-100 * abs_of(y) || (e == 0 && s_lo == 0) ? 0.0 : *b;
    y = abs_of(y) <= 0x1.fffffffffffffp1023 ? round_to_odd(y, lo) : y; /* -inf stays */
    return x > 0 || x == 0 ? x : s == 0 ? slope_unit(x, 0.0) : y;
}

static inline double elu(double x, const double *p, double *b) { return x > 0 ? x : P(0) * expm1_of(x); }
static inline double elu_grad(double x, const double *p, double *b) { return x > 0 ? 1.0 : P(0) * exp_of(min_of(x, 0.0), 0.0); }
static inline double selu(double x, const double *p, double *b) {
    (void)p;
    double e = expm1_of(min_of(x, 0.0));
    return x > 0 ? FMA(x, SELU_SCALE[0], x * SELU_SCALE[1])
                 : FMA(e, SELU_SCALE_ALPHA[0], e * SELU_SCALE_ALPHA[1]);
}
static inline double selu_grad(double x, const double *p, double *b) {
    (void)p;
    double e = exp_of(min_of(x, 0.0), 0.0);
    return x > 0 ? SELU_SCALE[0] : FMA(e, SELU_SCALE_ALPHA[0], e * SELU_SCALE_ALPHA[1]);
}
static inline double celu(double x, const double *p, double *b) {
    return x > 0 ? x : P(0) * expm1_of(min_of(x, 0.0) / P(0));
}
static inline double celu_grad(double x, const double *p, double *b) {
    double q = min_of(x, 0.0) / P(0), q_lo = FMA(-q, P(0), min_of(x, 0.0)) / P(0);
    return x > 0 ? 1.0 : exp_of(q, q_lo);
}

/* softplus: t = βx in two parts; above 0 x + log1p(e^-t)/β, else log1p(e^t)/β; t > threshold
   gives x (parameters: beta, threshold, with +inf for none). */
static inline double softplus(double x, const double *p, double *b) {
    double t = P(0) * x, t_lo = FMA(P(0), x, -t);
    double l = log1p_of(exp_of(-abs_of(t), t < 0 ? t_lo : -t_lo)) / P(0);
    return t > P(1) ? x : x > 0 ? x + l : l;
}
static inline double softplus_grad(double x, const double *p, double *b) {
    double t = P(0) * x, t_lo = FMA(P(0), x, -t), r;
    double e = logistic(t, t_lo, &r);
    return t > P(1) ? 1.0 : t < 0 ? e * r : r;
}
static inline double sparse_plus(double x, const double *p, double *b) {
    (void)p;
    double u = x + 1.0;
    return x <= -1.0 ? 0.0 : x >= 1.0 ? x : (u * u) * 0.25;
}
static inline double sparse_plus_grad(double x, const double *p, double *b) {
    (void)p;
    return x <= -1.0 ? 0.0 : x >= 1.0 ? 1.0 : 0.5 * sum_to_odd(x, 1.0);
}
/* (x + √(x² + b))/2, for x < 0 as (b/2)/(√(x² + b) - x), which does not cancel; x² cannot
   overflow for an input of a narrow format, and ±inf take the limits. */
static inline double squareplus(double x, const double *p, double *b) {
    double r = __builtin_sqrt(x * x + P(0));
    return x >= 0 ? 0.5 * (x + r) : (0.5 * P(0)) / (r - x);
}
static inline double squareplus_grad(double x, const double *p, double *b) {
    double r = __builtin_sqrt(x * x + P(0));
    double y = x >= 0 ? 0.5 * (1.0 + x / r) : (0.5 * P(0)) / (r * (r - x));
    return x == __builtin_inf() ? 1.0 : x == -__builtin_inf() ? 0.0 : y;
}
static inline double exponential(double x, const double *p, double *b) { (void)p; return exp_of(x, 0.0); }
static inline double exponential_grad(double x, const double *p, double *b) { return exponential(x, p, b); }

static inline double sigmoid(double x, const double *p, double *b) {
    (void)p;
    double r, t = logistic(x, 0.0, &r);
    return x < 0 ? t * r : r;
}
static inline double sigmoid_grad(double x, const double *p, double *b) {
    (void)p;
    double r, t = logistic(x, 0.0, &r);
    return (t * r) * r;
}
static inline double log_sigmoid(double x, const double *p, double *b) {
    (void)p;
    double l = log1p_of(exp_of(-abs_of(x), 0.0));
    return x < 0 ? x - l : -l;
}
static inline double log_sigmoid_grad(double x, const double *p, double *b) { return sigmoid(-x, p, b); }
static inline double hard_sigmoid(double x, const double *p, double *b) {
    (void)p;
    /* exact to odd: x + 3 is exact but below 2**-29, where the result is 1/2 to far below a float32 ULP */
    return x <= -3.0 ? 0.0 : x >= 3.0 ? 1.0 : divide_to_odd(x + 3.0, 6.0);
}
static inline double sparse_sigmoid(double x, const double *p, double *b) {
    (void)p;
    return x <= -1.0 ? 0.0 : x >= 1.0 ? 1.0 : 0.5 * sum_to_odd(x, 1.0);
}

/* tanh(a) = -expm1(-2a)/(2 + expm1(-2a)) for a = |x| <= 20 (beyond, it rounds to 1). */
static inline double tanh_abs(double a) {
    double e = expm1_of(-2.0 * min_of(a, 20.0));
    return -e / (2.0 + e);
}
static inline double tanh(double x, const double *p, double *b) { (void)p; return sign_of(tanh_abs(abs_of(x)), x); }
static inline double tanh_grad(double x, const double *p, double *b) {
    (void)p;
    double r, t = logistic(2.0 * x, 0.0, &r);
    return 4.0 * ((t * r) * r);
}
static inline double softsign(double x, const double *p, double *b) {
    (void)p;
    double xc = clamp(x, -0x1p200, 0x1p200); /* ±inf: 1 - 2**-200, which rounds to ±1 */
    return xc / (1.0 + abs_of(xc));
}
static inline double softsign_grad(double x, const double *p, double *b) {
    (void)p;
    double d = 1.0 + abs_of(x);
    return 1.0 / (d * d);
}

/* x - tanh x: below |x| = 1.5 Lambert's continued fraction, tanh x = x/(1 + K),
   K = x²/(3 + x²/(5 + ...)), gives x·K/(1 + K) with every term positive; above, the difference
   cancels by a factor of 4 at most. */
static inline double tanhshrink(double x, const double *p, double *b) {
    (void)p;
    double a = abs_of(x), square = a * a, inner = 0.0;
    #pragma GCC unroll 32
    for (int n = 24; n >= 1; n--) inner = square / ((2 * n + 1) + inner);
    double small = a * (inner / (1.0 + inner));
    double large = a - tanh_abs(a);
    /* beyond 20, a - 1 + 2/(e^(2a) + 1): a - 1 rounded to odd, with the positive tail as sticky bit */
    double s = a - 1.0, bb = s - a, lo = (a - (s - bb)) + (-1.0 - bb);
    double far = round_to_odd(s, lo != 0 ? lo : 0x1p-1000);
    *b = a >= 20.0 ? 0.0 : *b;
    return sign_of(a < 1.5 ? small : a < 20.0 ? large : far, x);
}
static inline double tanhshrink_grad(double x, const double *p, double *b) {
    (void)p;
    double t = tanh_abs(abs_of(x));
    return t * t;
}
static inline double softshrink(double x, const double *p, double *b) {
    double below = sum_to_odd(x, P(0)), above = sum_to_odd(x, -P(0));
    return x > P(0) ? above : x < -P(0) ? below : 0.0;
}

/* GELU: x·Φ(x), Φ(-|x|) = e^(-x²/2)·erfcx(|x|/√2)/2; x itself beyond 40. */
static inline double gelu(double x, const double *p, double *b) {
    (void)p;
    double xc = clamp(x, -40.0, 40.0), c;
    double lower = normal_parts(xc, &c) * c;
    double y = x < 0 ? xc * lower : xc * (1.0 - lower);
    return near_zero(x, 0.5, INV_SQRT_2PI[0], x > 40.0 ? x : y, b);
}
static inline double gelu_grad(double x, const double *p, double *b) {
    (void)p;
    double xc = clamp(x, -40.0, 40.0), c;
    double e = normal_parts(xc, &c), slope = INV_SQRT_2PI[0] * xc;
    double g = x < 0 ? e * (c + slope) : 1.0 - e * (c - slope);
    g = abs_of(x - GELU_ROOT[0]) < ROOT_RADIUS ? NEAR_ROOT(x, GELU) : g;
    return x > 40.0 ? 1.0 : g;
}

/* The tanh GELU: x·σ(v), v = 2·√(2/π)·x·(1 + 0.044715x²) in two parts. */
static inline double gelu_tanh_argument(double x, double *v_lo) {
    double square = x * x, square_lo = FMA(x, x, -square);
    double k = square * GELU_CUBIC[0];
    double k_lo = FMA(square, GELU_CUBIC[0], -k) + (square_lo * GELU_CUBIC[0] + square * GELU_CUBIC[1]);
    double inner = 1.0 + k, inner_lo = ((1.0 - inner) + k) + k_lo;
    double u = inner * x, u_lo = FMA(inner, x, -u) + inner_lo * x;
    double v = u * TWO_SQRT_2_OVER_PI[0];
    *v_lo = FMA(u, TWO_SQRT_2_OVER_PI[0], -v) + (u_lo * TWO_SQRT_2_OVER_PI[0] + u * TWO_SQRT_2_OVER_PI[1]);
    return v;
}
static inline double gelu_tanh(double x, const double *p, double *b) {
    (void)p;
    double xc = clamp(x, -64.0, 64.0), v_lo, r;
    double v = gelu_tanh_argument(xc, &v_lo);
    double t = logistic(v, v_lo, &r);
    double y = v < 0 ? xc * (t * r) : xc * r;
    return near_zero(x, 0.5, INV_SQRT_2PI[0], x > 64.0 ? x : y, b);
}
static inline double gelu_tanh_grad(double x, const double *p, double *b) {
    (void)p;
    double xc = clamp(x, -64.0, 64.0), v_lo, r;
    double v = gelu_tanh_argument(xc, &v_lo);
    double t = logistic(v, v_lo, &r);
    double dv = TWO_SQRT_2_OVER_PI[0] * (1.0 + 3.0 * GELU_CUBIC[0] * (xc * xc));
    double x_dv = xc * dv, tr = t * r;
    double g = v < 0 ? tr * (1.0 + r * x_dv) : r + (tr * r) * x_dv;
    g = abs_of(x - GELU_TANH_ROOT[0]) < ROOT_RADIUS ? NEAR_ROOT(x, GELU_TANH) : g;
    return x > 64.0 ? 1.0 : g;
}

static inline double silu(double x, const double *p, double *b) {
    (void)p;
    double xc = clamp(x, -1200.0, 710.0), r, t = logistic(xc, 0.0, &r);
    return near_zero(x, 0.5, 0.25, x > 710.0 ? x : x < 0 ? xc * (t * r) : xc * r, b);
}
static inline double silu_grad(double x, const double *p, double *b) {
    (void)p;
    double xc = clamp(x, -1200.0, 710.0), r, t = logistic(xc, 0.0, &r), tr = t * r;
    double g = x < 0 ? tr * (1.0 + r * xc) : r + (tr * r) * xc;
    g = abs_of(x - SILU_ROOT[0]) < ROOT_RADIUS ? NEAR_ROOT(x, SILU) : g;
    return x > 710.0 ? 1.0 : g;
}
static inline double hardswish(double x, const double *p, double *b) {
    (void)p;
    /* x·(x + 3) is exact (24 + 27 bits) where x + 3 is, from 2**-29 up */
    double y = x <= -3.0 ? 0.0 : x >= 3.0 ? x : divide_to_odd(x * (x + 3.0), 6.0);
    *b = abs_of(x) < 0x1p-29 ? *b : 0.0;
    return near_zero(x, 0.5, 1.0 / 6.0, y, b);
}
static inline double hardswish_grad(double x, const double *p, double *b) {
    (void)p;
    *b = abs_of(x) < 0x1p-29 ? *b : 0.0; /* 2x + 3 is exact from 2**-29 up */
    /* at ±3 PyTorch's values, 0 and 1 (the registry's default convention) */
    return x <= -3.0 ? 0.0 : x >= 3.0 ? 1.0 : divide_to_odd(2.0 * x + 3.0, 6.0);
}

/* mish: x·tanh(softplus(x)) = x·w, w a rational function of t = e^-|x| (no tanh, no log). */
static inline double mish_w(double x, double t, double *d) {
    double negative_d = (t + 2.0) * t + 2.0, positive_d = 1.0 + 2.0 * t * (1.0 + t);
    *d = x < 0 ? negative_d : positive_d;
    return (x < 0 ? t * (t + 2.0) : 1.0 + 2.0 * t) / *d;
}
static inline double mish(double x, const double *p, double *b) {
    (void)p;
    double xc = clamp(x, -1200.0, 40.0), d, t = exp_of(-abs_of(xc), 0.0);
    return x > 40.0 ? x : xc * mish_w(xc, t, &d);
}
static inline double mish_grad(double x, const double *p, double *b) {
    (void)p;
    double xc = clamp(x, -1200.0, 40.0), d, t = exp_of(-abs_of(xc), 0.0);
    double w = mish_w(xc, t, &d);
    /* for x < 0 t·((t + 2)/d + 4x(1 + t)/d²): t outside keeps the sign where t underflows */
    double lower = t * ((t + 2.0) / d + (4.0 * xc) * ((1.0 + t) / (d * d)));
    double upper = w + (4.0 * xc) * (((t * t) * (1.0 + t)) / (d * d));
    double g = x < 0 ? lower : upper;
    g = abs_of(x - MISH_ROOT[0]) < ROOT_RADIUS ? NEAR_ROOT(x, MISH) : g;
    return x > 40.0 ? 1.0 : g;
}

/* --- the rounding test and the loops ------------------------------------------------------- */

/* v rounded to the format (to nearest, ties to even): its quantum q is 2**(e + 1 - precision),
   or the subnormals' one, and (|v| + 1.5·2**52·q) - 1.5·2**52·q rounds |v| to a multiple of q. */
static inline double round_into(double v, const struct core_format *f) {
    double a = abs_of(v);
    double power = from_bits(bits_of(a) & 0x7ff0000000000000ULL);
    double q = max_of(power * f->precision_scale, f->least_quantum);
    double shifter = q * SHIFTER;
    double r = (a + shifter) - shifter;
    r = r > f->largest || a > f->largest ? f->overflow : r;
    return sign_of(r, v);
}

static inline double error_of(double y, double bound) {
    return bound * U * min_of(abs_of(y), 0x1p1000) + (bound > 0 ? TINY : 0.0); /* 0: exact, or odd */
}

/* Two loops a kernel, over blocks whose values stay in the cache, collecting the doubtful ones'
   indices after each block (the vectorized loop only flags them):
   - float32: float32 in and out, the processor's conversion rounding once from the double; the
     test converts y - e and y + e the same way;
   - any narrow format: its values as doubles in, the unrounded doubles out (the caller rounds),
     the test by round_into. */
/* Undecided in a narrow format: y - e and y + e round apart; -0 and +0 alike (an exact 0 is 0),
   NaN beside NaN alike (e4m3fn's overflow). */
static inline flag_t apart(double y, double e, const struct core_format *format) {
    double below = round_into(y - e, format), above = round_into(y + e, format);
    return (below != above) & ((below == below) | (above == above)) & (y == y);
}

/* One loop: TYPE in and out, TEST(y, e) says where the rounding test cannot decide. */
#define LOOP(prefix, name, bound_in_u, type, TEST)                                                 \
    static ptrdiff_t prefix##_##name(const type *restrict x, type *restrict out,                   \
                                     ptrdiff_t *restrict doubtful, ptrdiff_t n,                    \
                                     const double *restrict p, const struct core_format *f) {      \
        const struct core_format format = *f;                                                      \
        const double q[4] = {p[0], p[1], p[2], p[3]}; /* in registers, not loads in the loop */   \
        BLOCKS(type,                                                                               \
            double v = xs[i], bound = (bound_in_u);                                                \
            double y = name(v, q, &bound);                                                         \
            y = v == v ? y : v;                                                                    \
            double e = error_of(y, bound);                                                         \
            ys[i] = (type)y;                                                                       \
            flag[i] = TEST(y, e);)                                                                 \
        (void)format;                                                                              \
        return count;                                                                              \
    }

/* float32: the processor's conversion rounds once from the double, and tests the same way. */
#define FLOAT32_APART(y, e) (((float)((y) - (e)) != (float)((y) + (e))) & ((y) == (y)))
/* any narrow format: the unrounded doubles out (the caller rounds), round_into tests */
#define FORMAT_APART(y, e) apart((y), (e), &format)

#define LOOPS(name, bound_in_u)                                                                    \
    LOOP(float32, name, bound_in_u, float, FLOAT32_APART)                                          \
    LOOP(double, name, bound_in_u, double, FORMAT_APART)

/* The error bounds, in units of 2**-53 (docs/core.md derives each; tests/test_core.py
   measures the errors and checks they stay below a quarter of their bound). */
#define KERNELS(X)                                                                                 \
    X(relu, 0) X(relu_grad, 0) X(relu6, 0) X(relu6_grad, 0)                                        \
    X(leaky_relu, 0) X(leaky_relu_grad, 0) X(prelu, 0) X(prelu_grad, 0)                            \
    X(rrelu, 16) X(rrelu_grad, 0) X(threshold, 0) X(threshold_grad, 0)                              \
    X(hardtanh, 0) X(hardtanh_grad, 0)                                                             \
    X(elu, 48) X(elu_grad, 16) X(selu, 48) X(selu_grad, 16) X(celu, 48) X(celu_grad, 16)           \
    X(softplus, 64) X(softplus_grad, 24) X(sparse_plus, 16) X(sparse_plus_grad, 0)                  \
    X(squareplus, 16) X(squareplus_grad, 24) X(exponential, 16) X(exponential_grad, 16)              \
    X(sigmoid, 24) X(sigmoid_grad, 32) X(log_sigmoid, 64) X(log_sigmoid_grad, 24)                  \
    X(hard_sigmoid, 0) X(hard_sigmoid_grad, 4) X(sparse_sigmoid, 0) X(sparse_sigmoid_grad, 0)      \
    X(tanh, 48) X(tanh_grad, 32) X(softsign, 16) X(softsign_grad, 16)                               \
    X(tanhshrink, 256) X(tanhshrink_grad, 96)                                                      \
    X(hardshrink, 0) X(hardshrink_grad, 0) X(softshrink, 0) X(softshrink_grad, 0)                  \
    X(gelu, 48) X(gelu_grad, 128) X(gelu_tanh, 48) X(gelu_tanh_grad, 128)                          \
    X(silu, 24) X(silu_grad, 128) X(hardswish, 16) X(hardswish_grad, 16)                             \
    X(mish, 48) X(mish_grad, 256) X(identity, 0) X(identity_grad, 0)

KERNELS(LOOPS)

#define ENTRY(name, bound_in_u) {#name, float32_##name, double_##name, bound_in_u},
const struct core_kernel CORE_KERNELS_NAME[] = {KERNELS(ENTRY){NULL, NULL, 0}};
