/* The compiled core's float64 path: every activation and derivative correctly rounded in float64.

The fast path evaluates in double-double (a value as an unevaluated sum hi + lo of two doubles,
about 106 bits), one fused pass per value, branch-free so that the compiler vectorizes it. Each
kernel has a relative error bound B (docs/core.md derives each from the blocks below; tests
measure them): the exact result lies within e = B·S + TINY of hi + lo, where S is |hi|, or, where
a formula cancels, the magnitude of the terms that cancel (the kernel says which). The rounding
test then asks whether hi + (lo - e) and hi + (lo + e) round to the same double; if so, that
double is the correctly rounded result. If not (about once in 2**25 values at B = 2**-80, and
for every result below 2**-1000, where double-double loses bits to underflow), the value is
doubtful and the caller decides it at high precision (actcli.exact, mpmath): CORE-MATH's fast
path, rounding test and accurate path. Results that are exact, or one IEEE operation on exact
values (x·slope, x - λ), have S = 0 and are never doubtful.

The double-double operations and their error bounds (u = 2**-53) are those of Joldes, Muller and
Popescu, "Tight and rigorous error bounds for basic building blocks of double-word arithmetic",
ACM TOMS 44 (2017). No libm function is called: results are the same on every platform. Like
narrow.c, this file is built for the baseline instruction set and for x86-64-v3.
*/

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "core.h"
#include "constants.h"
#include "arith.h"
#include "piecewise.h"

/* Every helper inlined, whatever its size: a call in a loop keeps it from vectorizing. */
#define INLINE static inline __attribute__((always_inline))
#define TINY 0x1p-1060
#define INF __builtin_inf()
static const double THIRD[2] = {0x1.5555555555555p-2, 0x1.5555555555555p-56}; /* 1/3, 1/6 */
static const double SIXTH[2] = {0x1.5555555555555p-3, 0x1.5555555555555p-57};

typedef struct {
    double hi, lo;
} dd;

INLINE dd two_sum(double a, double b) { /* a + b exactly (Knuth) */
    double s = a + b, bb = s - a;
    return (dd){s, (a - (s - bb)) + (b - bb)};
}
INLINE dd fast_two_sum(double a, double b) { /* a + b exactly, for |a| >= |b| (Dekker) */
    double s = a + b;
    return (dd){s, b - (s - a)};
}
INLINE dd two_prod(double a, double b) { /* a·b exactly */
    double p = a * b;
    return (dd){p, FMA(a, b, -p)};
}
INLINE dd neg(dd a) { return (dd){-a.hi, -a.lo}; }
INLINE dd scaled(dd a, double s) { return (dd){a.hi * s, a.lo * s}; } /* s a power of two */
/* DWPlusFP: relative error <= 2u² */
INLINE dd add_d(dd a, double b) {
    dd s = two_sum(a.hi, b);
    return fast_two_sum(s.hi, s.lo + a.lo);
}
/* SloppyDWPlusDW: <= 3u²·(|a| + |b|), for sums that do not cancel (each use says by how much at
   most: the bound relative to |a + b| is that factor times 3u²) */
INLINE dd add_fast(dd a, dd b) {
    dd s = two_sum(a.hi, b.hi);
    return fast_two_sum(s.hi, s.lo + (a.lo + b.lo));
}
/* AccurateDWPlusDW: <= 3u² of |a + b|, whatever the signs */
INLINE dd add(dd a, dd b) {
    dd s = two_sum(a.hi, b.hi), t = two_sum(a.lo, b.lo);
    s = fast_two_sum(s.hi, s.lo + t.hi);
    return fast_two_sum(s.hi, s.lo + t.lo);
}
/* DWTimesFP3: <= 2u² */
INLINE dd mul_d(dd a, double b) {
    dd p = two_prod(a.hi, b);
    return fast_two_sum(p.hi, FMA(a.lo, b, p.lo));
}
/* a·x for any double x: beyond 2**900, x is scaled down first, so that the exact product's
   parts stay finite (and Dekker's splitting, where there is no FMA, does not overflow) */
INLINE dd times(dd a, double x) {
    int huge = abs_of(x) > 0x1p900;
    dd y = mul_d(a, huge ? x * 0x1p-200 : x);
    return huge ? scaled(y, 0x1p200) : y;
}
/* DWTimesDW3: <= 4u² */
INLINE dd mul(dd a, dd b) {
    dd p = two_prod(a.hi, b.hi);
    double t = FMA(a.lo, b.hi, a.hi * b.lo);
    return fast_two_sum(p.hi, p.lo + t);
}
/* DWDivFP3: <= 3u² */
INLINE dd div_d(dd a, double b) {
    double q = a.hi / b;
    dd p = two_prod(q, b);
    return fast_two_sum(q, ((a.hi - p.hi) - p.lo + a.lo) / b);
}
/* 1/b: r = 1/b.hi rounded, then one Newton step, e = 1 - b·r (its first part exact by FMA),
   1/b = r·(1 + e + e² + ...) with |e| <= 2u: <= 10u² (e's roundings 3u², the dropped e² 4u²,
   r·e's rounding 2u²); one division. */
INLINE dd recip(dd b) {
    double r = 1.0 / b.hi;
    double e = FMA(-b.hi, r, 1.0) - b.lo * r;
    return fast_two_sum(r, r * e);
}
/* a/b as a·(1/b): <= 14u² */
INLINE dd divide(dd a, dd b) { return mul(a, recip(b)); }

/* a² for a small pair (|a.lo| <= 2**-53·|a.hi|): a.hi² exactly, plus 2·a.hi·a.lo (a.lo² is below
   2**-106 of it): <= 2u² */
INLINE dd square_of(dd a) {
    dd s = two_prod(a.hi, a.hi);
    return fast_two_sum(s.hi, FMA(2.0 * a.hi, a.lo, s.lo));
}
/* √a: s = √a.hi rounded, then Newton's correction (a - s²)/(2s) with a - s² exact: <= 3u² */
INLINE dd square_root(dd a) {
    double s = __builtin_sqrt(a.hi);
    dd square = two_prod(s, s);
    double c = ((a.hi - square.hi) - square.lo + a.lo) / (2.0 * s);
    return fast_two_sum(s, a.hi > 0 ? c : 0.0);
}

/* --- e^x, e^x - 1, log(1 + t) --------------------------------------------------------------- */
/* e^(x + xl) = 2**k·T·(1 + p): x + xl = n·ln2/256 + r, n = 256k + j, T = 2**(j/256) from the
   table (two parts), |r| <= ln2/512 + |xl| (r in two parts: n·LN2_STEP[0] is exact, the rest is
   taken exactly or below 2**-106 of r), and p = e^r - 1 = r + r²/2 + r³/6 + r⁴·Q(r), Q to r⁸/8!
   (the rest is below 2**-104). The first three terms in double-double, the last in double (it is
   below 2**-42, computed to 5u of itself). Relative error of p: 2**-83 at |r| = ln2/512, less
   below; of T·(1 + p): 2**-92. For |x| beyond 1100, e^x is 0 or inf whatever xl is. */
struct exp_parts {
    dd table, p;
    double k;
};
INLINE struct exp_parts exp_reduce(double x, double xl) {
    xl = abs_of(x) < 1100.0 ? xl : 0.0;
    x = clamp(x, -1100.0, 1100.0);
    double n = (x * INV_LN2_STEP[0] + SHIFTER) - SHIFTER;
    double r0 = x - n * LN2_STEP[0]; /* exact: n·LN2_STEP[0] is exact and close to x */
    dd t = two_prod(n, LN2_STEP[1]);
    dd r = two_sum(r0, -t.hi);
    r = two_sum(r.hi, r.lo + ((xl - t.lo) - n * LN2_STEP[2]));
    dd square = square_of(r), cube = mul(square, r);
    double q = 1.0 / 40320;
    q = STEP(q, r.hi, 1.0 / 5040);
    q = STEP(q, r.hi, 1.0 / 720);
    q = STEP(q, r.hi, 1.0 / 120);
    q = STEP(q, r.hi, 1.0 / 24);
    dd p = add_d(mul(cube, (dd){SIXTH[0], SIXTH[1]}), (cube.hi * r.hi) * q);
    p = add_fast(r, add_fast(scaled(square, 0.5), p)); /* |r| > 2^9·|the rest|: no cancellation */
    /* n = 256k + j, 0 <= j < 256: k = floor(n/256) by rounding n/256 - 255/512 (never a tie) */
    double k = ((n * 0x1p-8 - 255.0 / 512) + SHIFTER) - SHIFTER, j = n - 256.0 * k;
    int row = 2 * (int)table_row(j, 256); /* NaN: row 0, the NaN carries through p */
    struct exp_parts e = {{EXP2_TABLE[row], EXP2_TABLE[row + 1]}, p, k};
    return e;
}

/* m·2**k for |k| <= 1600, each part in two exact factors (one rounding, into the subnormals) */
INLINE dd scale_by(dd m, double k) {
    double k1 = clamp(k, -1000.0, 1000.0), s1 = pow2(k1), s2 = pow2(k - k1);
    return (dd){(m.hi * s1) * s2, (m.lo * s1) * s2};
}

/* e^(x + xl) = m·2**k with m = T·(1 + p) in [0.99, 2.01): relative error 2**-92 */
INLINE dd exp_mantissa(double x, double xl, double *k) {
    struct exp_parts e = exp_reduce(x, xl);
    *k = e.k;
    return add_fast(e.table, mul(e.table, e.p)); /* T >= 1 > 2^8·|T·p| */
}
INLINE dd exp_of(double x, double xl) {
    double k;
    dd m = exp_mantissa(x, xl, &k);
    return scale_by(m, k);
}
/* c·e^x with c applied before the power of two, so that a subnormal e^x loses no bits that c
   would then magnify */
INLINE dd exp_times(double x, double c) {
    double k;
    dd m = mul_d(exp_mantissa(x, 0.0, &k), c);
    return scale_by(m, k);
}

/* e^(x + xl) - 1 = (2**k·T - 1) + 2**k·T·p: 2**k·T_hi - 1 exactly (two_sum); the sum cancels
   by at most a factor 2 (|r| <= ln2/512 is at most half of |n|·ln2/256 where n != 0, and n = 0
   leaves p alone). Relative error 2**-81. One exponential for every x: below -700 (where e^x is
   under 2**-1009 of the result, -1) x is taken as -700, which keeps 2**k a normal double; below
   -745.2, where e^x rounds to 0, the result is the pair (-1, 0). */
INLINE dd expm1_of(double x, double xl) {
    struct exp_parts e = exp_reduce(max_of(x, -700.0), x < -700.0 ? 0.0 : xl);
    double s = pow2(e.k);
    dd a = two_sum(e.table.hi * s, -1.0);
    a = add_d(a, e.table.lo * s);
    dd rest = scaled(mul(e.table, e.p), s);
    dd y = add_fast(a, rest); /* cancels by 2 at most */
    return x == 0 ? (dd){x, 0.0} : x < -745.2 ? (dd){-1.0, 0.0} : y; /* expm1(-0) = -0 */
}

/* log(1 + t) for 0 <= t <= 1 (t in two parts): c = 1 + i/512 nearest 1 + t, w = (t - i/512)/c
   (|w| <= 2**-10), log(1 + t) = log c + log(1 + w), log c from the table (two parts), log(1 + w)
   = w - w²/2 + w³/3 - w⁴·R(w), R to w¹¹ (the rest below 2**-110·|w|); the first three terms in
   double-double, the last in double (below 2**-42 of w). The sum cancels by at most 2 (log c
   >= 2·|log(1 + w)| where i != 0). Relative error 2**-82. */
INLINE dd log1p_of(dd t) {
    double i = table_row((t.hi * 512.0 + SHIFTER) - SHIFTER, 513);
    double c = 1.0 + i * 0x1p-9;
    dd w = div_d(two_sum(t.hi - i * 0x1p-9, t.lo), c); /* t.hi - i/512 is exact (Sterbenz, or i = 0) */
    dd square = square_of(w), cube = mul(square, w);
    double q = -1.0 / 11;
    q = STEP(q, w.hi, 1.0 / 10);
    q = STEP(q, w.hi, -1.0 / 9);
    q = STEP(q, w.hi, 1.0 / 8);
    q = STEP(q, w.hi, -1.0 / 7);
    q = STEP(q, w.hi, 1.0 / 6);
    q = STEP(q, w.hi, -1.0 / 5);
    q = STEP(q, w.hi, 1.0 / 4);
    dd series = add_d(mul(cube, (dd){THIRD[0], THIRD[1]}), -(cube.hi * w.hi) * q);
    series = add_fast(w, add_fast(scaled(square, -0.5), series)); /* |w| > 2^10·|the rest| */
    int row = (int)i;
    return add_fast((dd){LOG1P_TABLE[2 * row], LOG1P_TABLE[2 * row + 1]}, series); /* cancels by 2 at most */
}

/* erfcx(z) = e^(z²)·erfc(z) for 0 <= z <= 28.3, z in two parts: the Taylor table of
   core/erfcx_wide.npy at the node nearest z (every 1/32), d = z - node in two parts (|d| <= 1/64;
   z.hi - node is exact), a_0..a_5 in double-double, a_6..a_14 in double (below 2**-36 of a_0,
   so their 2**-52 costs 2**-88); the omitted terms are below 2**-102. Horner's sums never
   cancel (|d·p| <= 0.018·|a_k| on every row). Relative error 2**-86. */
INLINE dd erfcx_of(dd z) {
    double i = table_row((z.hi * 32.0 + SHIFTER) - SHIFTER, ERFCX_NODES);
    const double *table = &ERFCX_WIDE[0][0];
    int row = (int)i * ERFCX_WIDE_WIDTH;
    dd d = two_sum(z.hi - i * 0x1p-5, z.lo);
    /* written out: GCC does not unroll these loops before vectorizing, and then cannot */
    _Static_assert(ERFCX_WIDE_WIDTH == 21, "a_6..a_14 in double, a_0..a_5 in two parts");
    double q = table[row + 20];
    q = STEP(q, d.hi, table[row + 19]);
    q = STEP(q, d.hi, table[row + 18]);
    q = STEP(q, d.hi, table[row + 17]);
    q = STEP(q, d.hi, table[row + 16]);
    q = STEP(q, d.hi, table[row + 15]);
    q = STEP(q, d.hi, table[row + 14]);
    q = STEP(q, d.hi, table[row + 13]);
    q = STEP(q, d.hi, table[row + 12]);
#define PAIR(k) ((dd){table[row + 2 * (k)], table[row + 2 * (k) + 1]})
    dd p = add_d(PAIR(5), q * d.hi);
    p = add_fast(PAIR(4), mul(d, p));
    p = add_fast(PAIR(3), mul(d, p));
    p = add_fast(PAIR(2), mul(d, p));
    p = add_fast(PAIR(1), mul(d, p));
    return add_fast(PAIR(0), mul(d, p));
#undef PAIR
}

/* For |x| <= 40: e^(-x²/2) (x² an exact pair) and c = erfcx(|x|/√2)/2, so that Φ(-|x|) = e·c and
   φ(x) = e/√(2π). */
INLINE dd normal_mantissa(double x, dd *c, double *k) {
    dd square = two_prod(x, x);
    *c = scaled(erfcx_of(mul_d((dd){INV_SQRT2[0], INV_SQRT2[1]}, abs_of(x))), 0.5);
    return exp_mantissa(-0.5 * square.hi, -0.5 * square.lo, k);
}
INLINE dd normal_parts(double x, dd *c) {
    double k;
    dd m = normal_mantissa(x, c, &k);
    return scale_by(m, k);
}

/* σ-parts of v + vl: t = e^-|v| and r = 1/(1 + t) = σ(|v|); σ(-|v|) = t·r, σ'(v) = t·r².
   Relative errors: t 2**-92, r 2**-92 (the division and the sum add 18u²). */
INLINE dd logistic(double v, double vl, dd *r) {
    dd t = exp_of(-abs_of(v), v < 0 ? vl : -vl);
    *r = recip(add_d(t, 1.0));
    return t;
}

/* --- the kernels: value(x, parameters, scale) -> hi + lo ------------------------------------ */
/* *scale is what the kernel's bound is relative to: the loop starts it at -1, which means |hi|;
   a kernel whose terms cancel sets their magnitude, an exact branch 0, and a region the fast path
   does not cover (|x| so large that x² overflows) +inf, which makes the value doubtful. A
   derivative at a kink gives the registry's default convention, as in narrow.c. */

/* The scale of terms that cancel: never 0, which would say the result is exact (a magnitude that
   underflows to 0 still leaves the TINY part of the bound). */
INLINE double magnitude(double m) { return max_of(m, 0x1p-1074); }

INLINE dd exactly(double y, double *scale) {
    *scale = 0.0;
    return (dd){y, 0.0};
}
INLINE dd exact_if(int condition, double y, dd otherwise, double *scale) {
    *scale = condition ? 0.0 : *scale;
    return condition ? (dd){y, 0.0} : otherwise;
}

/* Below this x, c·e^x rounds to ±0 (it is below 2**-1076): -746 - log|c|, log|c| from above
   by c's exponent. */
INLINE double vanishing(double c) {
    double exponent = (double)(int)((bits_of(c) >> 52) & 0x7ff) - 1022.0; /* |c| < 2**exponent */
    return -746.0 - 0.6931471805599453 * max_of(exponent, 0.0);
}

/* Near 0 (|x| < 2**-60), x/2 + c·x² with c > 0 (silu, the tanh GELU, hardswish) rounds as x/2
   does, but where x/2 is a midpoint (x an odd multiple of the least subnormal): then to the
   double above it. c·x² is far below half an ULP of x/2 elsewhere. */
INLINE dd half_near_zero(double x, dd y, double *s) {
    double h = 0.5 * x;
    int up = 2.0 * h < x; /* h was rounded down, below x/2 + c·x² */
    double above = from_bits(bits_of(h) + (h > 0 || (h == 0 && up) ? 1 : (uint64_t)-1));
    return exact_if(abs_of(x) < 0x1p-60, up ? (h == 0 ? 0x1p-1074 : above) : h, y, s);
}

/* Near 0 (|x| < 2**-60), x·(1 + c·x) with |c| <= 1 rounds to x (tanh, softsign): c·x² is far
   below half an ULP of x, and x is a double. */
INLINE dd identity_near_zero(double x, dd y, double *s) { return exact_if(abs_of(x) < 0x1p-60, x, y, s); }
/* f(±0) = slope·(±0) exactly (the test would doubt a 0, and the pair's sum loses its sign) */
INLINE dd zero_at_zero(double x, double slope, dd y, double *s) { return exact_if(x == 0, x * slope, y, s); }

/* One rounding of an exact value is the correctly rounded result. */
INLINE dd leaky_relu_wide(double x, const double *p, double *s) {
    return exactly(x > 0 ? x : x == -INF && P(0) == 0 ? 0.0 : x * P(0), s);
}
INLINE dd prelu_wide(double x, const double *p, double *s) { return leaky_relu_wide(x, p, s); }
INLINE dd softshrink_wide(double x, const double *p, double *s) {
    return exactly(x > P(0) ? x - P(0) : x < -P(0) ? x + P(0) : 0.0, s);
}
/* (x + 1)/2: one rounding, then an exact halving (x + 1 >= 2**-53 where it is not 0) */
INLINE dd sparse_sigmoid_wide(double x, const double *p, double *s) {
    (void)p;
    return exactly(x <= -1.0 ? 0.0 : x >= 1.0 ? 1.0 : 0.5 * (x + 1.0), s);
}
INLINE dd sparse_plus_grad_wide(double x, const double *p, double *s) { return sparse_sigmoid_wide(x, p, s); }

/* x·(lower + upper)/2, the mean in two parts */
INLINE dd rrelu_wide(double x, const double *p, double *s) {
    dd mean = scaled(two_sum(P(0), P(1)), 0.5), y = times(mean, x);
    return exact_if(x > 0 || x == 0 || x == -INF, x > 0 || x == 0 ? x : mean.hi == 0 ? 0.0 : -INF * mean.hi, y, s);
}
INLINE dd sparse_plus_wide(double x, const double *p, double *s) {
    (void)p;
    dd u = two_sum(clamp(x, -1.0, 1.0), 1.0);
    return exact_if(x <= -1.0 || x >= 1.0, x <= -1.0 ? 0.0 : x, scaled(mul(u, u), 0.25), s);
}
/* n/6 for an exact pair n (n.hi normal): q = n.hi/6 rounded and R = n - 6q exactly, as a pair (its
   first part n.hi - 6q is the division's remainder, exact by FMA), so n/6 = q + R/6. A sixth of a
   sum like x + 3 is a midpoint of two doubles for one input in six: exactly when R is ±3 ULPs of q
   (-1.5 below a power of two), and then q + R/6 is exact and rounds to even. Left to the rounding
   test, every one would be doubtful. */
INLINE dd sixth(dd n, double *s) {
    double q = n.hi / 6.0;
    dd r = two_sum(FMA(-q, 6.0, n.hi), n.lo);
    double ulp = from_bits(bits_of(q) & 0x7ff0000000000000ULL) * 0x1p-52;
    int power = (bits_of(q) & 0x000fffffffffffffULL) == 0;
    int tie = r.lo == 0 && (abs_of(r.hi) == 3.0 * ulp || (power && r.hi == -1.5 * ulp));
    *s = tie ? 0.0 : *s;
    return fast_two_sum(q, (r.hi + r.lo) / 6.0);
}
INLINE dd hard_sigmoid_wide(double x, const double *p, double *s) {
    (void)p;
    dd y = sixth(two_sum(clamp(x, -3.0, 3.0), 3.0), s);
    return exact_if(x <= -3.0 || x >= 3.0, x <= -3.0 ? 0.0 : 1.0, y, s);
}
INLINE dd hardswish_wide(double x, const double *p, double *s) {
    (void)p;
    double xc = clamp(x, -3.0, 3.0);
    dd y = half_near_zero(x, div_d(mul_d(two_sum(xc, 3.0), xc), 6.0), s);
    return exact_if(x <= -3.0 || x >= 3.0, x <= -3.0 ? 0.0 : x, y, s);
}
INLINE dd hardswish_grad_wide(double x, const double *p, double *s) {
    (void)p; /* at ±3 PyTorch's values, 0 and 1 (the registry's default convention) */
    dd y = sixth(two_sum(2.0 * clamp(x, -3.0, 3.0), 3.0), s);
    return exact_if(x <= -3.0 || x >= 3.0, x <= -3.0 ? 0.0 : 1.0, y, s);
}
INLINE dd softsign_wide(double x, const double *p, double *s) {
    (void)p;
    double xc = clamp(x, -0x1p600, 0x1p600); /* ±inf: 1 - 2**-600, which rounds to ±1 */
    return identity_near_zero(x, divide((dd){xc, 0.0}, two_sum(1.0, abs_of(xc))), s);
}
INLINE dd softsign_grad_wide(double x, const double *p, double *s) {
    (void)p;
    dd q = recip(two_sum(1.0, abs_of(x)));
    return exact_if(abs_of(x) > 0x1p540, 0.0, mul(q, q), s); /* below 2**-1080 beyond */
}
/* (x + √(x² + b))/2, for x < 0 (b/2)/(√(x² + b) - x), which does not cancel; its derivative
   (1 + x/r)/2, for x < 0 (b/2)/(r·(r - x)). Beyond |x| = 2**500, where x² would overflow, the
   same through q = b/x² (√(x² + b) = |x|·√(1 + q)): x·(1 + √(1 + q))/2, (b/2)/(|x|·(1 + √(1 + q)));
   (1 + 1/√(1 + q))/2, (q/2)/(√(1 + q)·(1 + √(1 + q))). b beyond 2**1000 is left doubtful. */
INLINE dd squareplus_root(double x, const double *p, double *s) {
    *s = P(0) < 0x1p1000 ? *s : INF;
    double xc = clamp(x, -0x1p500, 0x1p500);
    return square_root(add_d(two_prod(xc, xc), P(0)));
}
INLINE dd squareplus_far(double x, const double *p, dd *root) { /* 1 + √(1 + q), and √(1 + q) */
    double a = max_of(abs_of(x), 0x1p500);
    *root = square_root(add_d(div_d(div_d((dd){P(0), 0.0}, a), a), 1.0));
    return add_d(*root, 1.0);
}
INLINE dd squareplus_wide(double x, const double *p, double *s) {
    dd r = squareplus_root(x, p, s), root, d = squareplus_far(x, p, &root);
    double xc = clamp(x, -0x1p500, 0x1p500), a = abs_of(x);
    dd near = x >= 0 ? scaled(add_d(r, xc), 0.5) : divide((dd){0.5 * P(0), 0.0}, add_d(r, -xc));
    dd far = x >= 0 ? scaled(times(d, x), 0.5) : divide(div_d((dd){0.5 * P(0), 0.0}, a), d);
    /* below -b·2**1078, (b/2)/(r - x) < b/(4|x|) is below 2**-1080 */
    return exact_if(x == INF || x == -INF || x < -(P(0) * 0x1p600) * 0x1p478, x == INF ? x : 0.0, a < 0x1p500 ? near : far, s);
}
INLINE dd squareplus_grad_wide(double x, const double *p, double *s) {
    dd r = squareplus_root(x, p, s), root, d = squareplus_far(x, p, &root);
    double xc = clamp(x, -0x1p500, 0x1p500);
    dd near = x >= 0 ? scaled(add_d(divide((dd){xc, 0.0}, r), 1.0), 0.5)
                     : divide(divide((dd){0.5 * P(0), 0.0}, r), add_d(r, -xc)); /* r·(r - x) may pass 2**969,
                                                                              where its reciprocal's low part is subnormal */
    double a = max_of(abs_of(x), 0x1p500);
    dd q = div_d(div_d((dd){P(0), 0.0}, a), a);
    dd far = x >= 0 ? scaled(add_d(recip(root), 1.0), 0.5) : divide(scaled(q, 0.5), mul(root, d));
    /* below -√b·2**540, b/(4x²) is below 2**-1080 */
    return exact_if(x == INF || x == -INF || x < -__builtin_sqrt(P(0)) * 0x1p540, x == INF ? 1.0 : 0.0,
                    abs_of(x) < 0x1p500 ? near : far, s);
}

/* e^x: beyond 709.79 it is inf, below -745.2 it rounds to 0 (e^-745.2 < 2**-1075); the values
   within 2**-40 of the overflow threshold (log of the largest double) are left doubtful. */
INLINE dd exponential_wide(double x, const double *p, double *s) {
    (void)p;
    *s = abs_of(x - 709.782712893384) < 1e-9 ? INF : *s;
    return exact_if(x > 709.79 || x < -745.2, x > 0 ? INF : 0.0, exp_of(x, 0.0), s);
}
INLINE dd exponential_grad_wide(double x, const double *p, double *s) { return exponential_wide(x, p, s); }

INLINE dd sigmoid_wide(double x, const double *p, double *s) {
    (void)p;
    dd r, t = logistic(x, 0.0, &r);
    return exact_if(x < -745.2, 0.0, x < 0 ? mul(t, r) : r, s);
}
INLINE dd sigmoid_grad_wide(double x, const double *p, double *s) {
    (void)p;
    dd r, t = logistic(x, 0.0, &r);
    return exact_if(abs_of(x) > 745.2, 0.0, mul(mul(t, r), r), s);
}
/* log σ(x) = x - log(1 + e^x) below 0 (two terms of one sign), else -log(1 + e^-x) */
INLINE dd log_sigmoid_wide(double x, const double *p, double *s) {
    (void)p;
    dd l = log1p_of(exp_of(-abs_of(x), 0.0));
    dd y = exact_if(x > 745.2, -0.0, x < 0 ? add_d(neg(l), x) : neg(l), s);
    return exact_if(x == -INF, x, y, s);
}
INLINE dd log_sigmoid_grad_wide(double x, const double *p, double *s) { return sigmoid_wide(-x, p, s); }

/* tanh(a) = -expm1(-2a)/(2 + expm1(-2a)) for a = |x| <= 40 (beyond, 1 - 2e^-80 rounds to 1);
   relative error 2**-80 */
INLINE dd tanh_abs(double a) {
    dd e = expm1_of(-2.0 * min_of(a, 40.0), 0.0);
    return divide(neg(e), add_d(e, 2.0));
}
INLINE dd tanh_wide(double x, const double *p, double *s) {
    (void)p;
    dd t = tanh_abs(abs_of(x));
    return identity_near_zero(x, x < 0 ? neg(t) : t, s);
}
/* 1 - tanh² = 4·σ'(2x); below 2**-1076 from |x| = 374 on */
INLINE dd tanh_grad_wide(double x, const double *p, double *s) {
    (void)p;
    dd r, t = logistic(2.0 * x, 0.0, &r);
    return exact_if(abs_of(x) > 374.0, 0.0, scaled(mul(mul(t, r), r), 4.0), s);
}
/* x - tanh x: below |x| = 1/8, x³·S(x²), S(y) = Σ s_m·y^m the tanh series' (exact from Bernoulli
   numbers, scripts/core_constants.py): s_0..s_5 in two parts and double-double Horner, s_6..s_14
   in double (their terms are below 2**-44 of s_0 at y = 2**-6); the rest below 2**-103; no Horner
   sum cancels (|y·p| <= 0.007·|s_m|). Above, |x| - tanh|x| itself, which cancels by at most 193
   (at 1/8): the bound is relative to |x|. Below 2**-359, |x³/3| < 2**-1076 rounds to ±0. */
INLINE dd tanhshrink_series(double a) {
    dd y = two_prod(a, a);
    double q = TANHSHRINK_TAIL[8];
    #pragma GCC unroll 8
    for (int m = 7; m >= 0; m--) q = STEP(q, y.hi, TANHSHRINK_TAIL[m]);
#define PAIR(m) ((dd){TANHSHRINK_PAIRS[2 * (m)], TANHSHRINK_PAIRS[2 * (m) + 1]})
    dd p = add_d(PAIR(5), q * y.hi);
    p = add_fast(PAIR(4), mul(y, p));
    p = add_fast(PAIR(3), mul(y, p));
    p = add_fast(PAIR(2), mul(y, p));
    p = add_fast(PAIR(1), mul(y, p));
    p = add_fast(PAIR(0), mul(y, p));
#undef PAIR
    return mul(mul_d(y, a), p);
}
INLINE dd tanhshrink_wide(double x, const double *p, double *s) {
    (void)p;
    double a = abs_of(x);
    dd near = tanhshrink_series(min_of(a, 0.125)), far = add_d(neg(tanh_abs(a)), a);
    *s = a < 0.125 ? *s : a;
    dd y = exact_if(a < 0x1p-359 || a == INF, a, a < 0.125 ? near : far, s);
    y = exact_if(a < 0x1p-359, 0.0, y, s);
    return bits_of(x) >> 63 ? neg(y) : y; /* -0 too */
}
INLINE dd tanhshrink_grad_wide(double x, const double *p, double *s) {
    (void)p;
    dd t = tanh_abs(abs_of(x));
    /* below 2**-511, x·x rounded is the result: x² is never a midpoint of the subnormals (an odd
       multiple of 2**-1075), and the rest, -2x⁴/3, is far below half of their quantum */
    return exact_if(abs_of(x) < 0x1p-511, x * x, mul(t, t), s);
}

/* α·(e^x - 1) below 0; α·e^x (celu: e^(x/α), x/α in two parts, the division's remainder exact) */
INLINE dd elu_wide(double x, const double *p, double *s) {
    return exact_if(x > 0, x, zero_at_zero(x, P(0), mul_d(expm1_of(min_of(x, 0.0), 0.0), P(0)), s), s);
}
INLINE dd elu_grad_wide(double x, const double *p, double *s) {
    dd y = exp_times(min_of(x, 0.0), P(0));
    return exact_if(x > 0 || x < vanishing(P(0)), x > 0 ? 1.0 : 0.0 * P(0), y, s);
}
INLINE dd selu_wide(double x, const double *p, double *s) {
    (void)p;
    dd scale = {SELU_SCALE[0], SELU_SCALE[1]}, scale_alpha = {SELU_SCALE_ALPHA[0], SELU_SCALE_ALPHA[1]};
    dd y = x > 0 ? times(scale, x) : mul(expm1_of(min_of(x, 0.0), 0.0), scale_alpha);
    /* λx is beyond the largest double (and rounds to inf) where x·λ_hi(1 - 2**-50) already is */
    return exact_if(x * (SELU_SCALE[0] * (1 - 0x1p-50)) == INF, INF, zero_at_zero(x, SELU_SCALE_ALPHA[0], y, s), s);
}
INLINE dd selu_grad_wide(double x, const double *p, double *s) {
    (void)p;
    dd scale_alpha = {SELU_SCALE_ALPHA[0], SELU_SCALE_ALPHA[1]};
    dd y = mul(exp_of(min_of(x, 0.0), 0.0), scale_alpha);
    return exact_if(x > 0 || x < -746.0, x > 0 ? SELU_SCALE[0] : 0.0, y, s);
}
INLINE dd celu_quotient(double x, double alpha) {
    double q = min_of(x, 0.0) / alpha;
    return (dd){q, FMA(-q, alpha, min_of(x, 0.0)) / alpha};
}
INLINE dd celu_wide(double x, const double *p, double *s) {
    dd q = celu_quotient(x, P(0));
    /* α·expm1(x/α) = x + x²/(2α) + ...: x where |x/α| < 2**-60 */
    dd y = exact_if(abs_of(q.hi) < 0x1p-60, x, mul_d(expm1_of(q.hi, q.lo), P(0)), s);
    return exact_if(x > 0, x, y, s);
}
INLINE dd celu_grad_wide(double x, const double *p, double *s) {
    dd q = celu_quotient(x, P(0));
    return exact_if(x > 0 || q.hi < -745.2, x > 0 ? 1.0 : 0.0, exp_of(q.hi, q.lo), s);
}

/* softplus: t = βx in two parts; above 0 x + log1p(e^-t)/β, else log1p(e^t)/β; t > threshold
   gives x. The second form is e^t/β to 2**-53 below t = -37, and rounds to 0 below -745.2 - log β. */
INLINE dd softplus_wide(double x, const double *p, double *s) {
    dd t = two_prod(P(0), x);
    double k;
    dd m = exp_mantissa(-abs_of(t.hi), t.hi < 0 ? t.lo : -t.lo, &k), e = scale_by(m, k);
    dd l = div_d(log1p_of(e), P(0));
    /* beyond |t| = 40, log(1 + e) = e·(1 - e/2) to 2**-115, formed on e's mantissa and divided by
       β before the power of two: a subnormal e would lose bits that 1/β magnifies */
    dd tail = scale_by(div_d(mul(m, (dd){1.0, -0.5 * e.hi}), P(0)), k);
    l = abs_of(t.hi) > 40.0 ? tail : l;
    dd y = exact_if(x == INF, x, x > 0 ? add_d(l, x) : l, s);
    return exact_if(t.hi > P(1) || t.hi < vanishing(1.0 / P(0)), t.hi > P(1) ? x : 0.0, y, s);
}
INLINE dd softplus_grad_wide(double x, const double *p, double *s) {
    dd t = two_prod(P(0), x), r;
    dd e = logistic(t.hi, t.lo, &r);
    return exact_if(t.hi > P(1) || t.hi < -745.2, t.hi > P(1) ? 1.0 : 0.0, t.hi < 0 ? mul(e, r) : r, s);
}

/* silu = x·σ(x); silu' = σ(x)·(1 + x·σ(-x)): above 0 r + t·r²·x (one sign), below t·r·(1 + r·x),
   which cancels near the root -1.2785: the bound is relative to t·r·(1 + |r·x|). */
INLINE dd silu_wide(double x, const double *p, double *s) {
    (void)p;
    double xc = clamp(x, -800.0, 800.0);
    dd r, t = logistic(xc, 0.0, &r);
    dd y = half_near_zero(x, mul_d(x < 0 ? mul(t, r) : r, xc), s);
    return exact_if(x > 800.0 || x < -760.0, x > 0 ? x : -0.0, y, s);
}
INLINE dd silu_grad_wide(double x, const double *p, double *s) {
    (void)p;
    double xc = clamp(x, -800.0, 800.0);
    dd r, t = logistic(xc, 0.0, &r), tr = mul(t, r);
    dd inner = mul_d(r, xc);
    dd lower = mul(tr, add_d(inner, 1.0)), upper = add(r, mul_d(mul(tr, r), xc));
    *s = x < 0 ? magnitude(tr.hi * (1.0 + abs_of(inner.hi))) : *s;
    return exact_if(x > 800.0 || x < -760.0, x > 0 ? 1.0 : -0.0, x < 0 ? lower : upper, s);
}

/* y·2**k correctly rounded where it is tiny (below 2**-960), for a result whose 2**k (from e^x)
   takes it there: scaled, each part of the pair rounds on its own into the subnormals, and the
   test's bound has an absolute floor (TINY) that doubts every result below 2**-1007. In units
   of the result's quantum 2**e (e = max(its exponent, -1022) - 52), |y|·2**k = a + a_lo (a an
   integer if the result is normal): n = a rounded to an integer, the rest f = (a - n) + a_lo,
   exact but for a_lo's rounding; n moved by one where |f| > 1/2. Decided (1, *value the result)
   unless |f| is within the pair's error (bound·a + 2**-40) of 1/2, or the result is not tiny. */
INLINE int rounded_when_tiny(dd y, double k, double bound, double *value) {
    double exponent = (double)(((bits_of(y.hi) >> 52) & 0x7ff)) - 1023.0 + k;
    double e = max_of(exponent, -1022.0) - 52.0;
    double to_quanta = pow2(clamp(k - e, -1000.0, 1000.0)); /* k - e is within [-100, 100] here */
    double a = abs_of(y.hi) * to_quanta, a_lo = (y.hi < 0 ? -y.lo : y.lo) * to_quanta;
    double n = a < 0x1p52 ? (a + 0x1p52) - 0x1p52 : a; /* above, a is an integer already */
    double f = (a - n) + a_lo;
    n += f > 0.5 ? 1.0 : f < -0.5 ? -1.0 : 0.0;
    f -= f > 0.5 ? 1.0 : f < -0.5 ? -1.0 : 0.0;
    *value = sign_of((n * pow2(clamp(e + 74.0, -1000.0, 1000.0))) * 0x1p-74, y.hi); /* exact: two factors */
    /* (a power of two less a_lo lies in the binade below, of half the quantum: not decided here) */
    return exponent < -960.0 && 0.5 - abs_of(f) > bound * a + 0x1p-40 && !(a == 0x1p52 && f < 0);
}

/* GELU: x·Φ(x), Φ(-|x|) = e·c; above 0 x·(1 - Φ(-x)), which does not cancel (Φ(-x) <= 1/2). Below
   -39, |x·Φ(x)| < 2**-1090. Its derivative Φ(x) + x·φ(x): below 0 e·(c + x/√(2π)), which cancels
   near the root -0.7518 (the bound is relative to e·(c + |x|/√(2π))); above, 1 - e·(c - x/√(2π)),
   whose inner difference is at most 1/2 of the 1 it is taken from. */
INLINE dd gelu_wide(double x, const double *p, double *s) {
    (void)p;
    double xc = clamp(x, -40.0, 40.0);
    dd c, lower = mul(normal_parts(xc, &c), c);
    dd y = half_near_zero(x, mul_d(x < 0 ? lower : add_d(neg(lower), 1.0), xc), s);
    return exact_if(x > 40.0 || x < -39.0, x > 0 ? x : -0.0, y, s);
}
INLINE dd gelu_grad_wide(double x, const double *p, double *s) {
    (void)p;
    double xc = clamp(x, -40.0, 40.0);
    dd c, e = normal_parts(xc, &c), slope = mul_d((dd){INV_SQRT_2PI[0], INV_SQRT_2PI[1]}, xc);
    dd g = x < 0 ? mul(e, add(c, slope)) : add_d(neg(mul(e, add(c, neg(slope)))), 1.0);
    *s = x < 0 ? magnitude(e.hi * (c.hi + abs_of(slope.hi))) : *s;
    return exact_if(x > 40.0 || x < -39.0, x > 0 ? 1.0 : -0.0, g, s);
}

/* The doubtful values of gelu and its derivative below x = -37, where the result is tiny: from
   the unscaled pair (rounded_when_tiny), one by one (in the vector loop it would cost every
   value a quarter more). In the derivative, |x|/√(2π) > 1000·c there: the sum does not cancel. */
INLINE ptrdiff_t tiny_gelu_values(const double *x, double *out, ptrdiff_t *doubtful, ptrdiff_t count,
                                  int derivative) {
    ptrdiff_t kept = 0;
    for (ptrdiff_t j = 0; j < count; j++) {
        ptrdiff_t i = doubtful[j];
        double xc = clamp(x[i], -40.0, 40.0), k, value;
        dd c, m = normal_mantissa(xc, &c, &k), y;
        if (derivative) /* e·(c + x/√(2π)) and x·e·c, over 2**k */
            y = mul(m, add(c, mul_d((dd){INV_SQRT_2PI[0], INV_SQRT_2PI[1]}, xc)));
        else
            y = mul_d(mul(m, c), xc);
        if (x[i] < -37.0 && rounded_when_tiny(y, k, derivative ? 0x1p-78 : 0x1p-80, &value))
            out[i] = value;
        else
            doubtful[kept++] = i;
    }
    return kept;
}
INLINE ptrdiff_t retry_gelu(const double *x, double *out, ptrdiff_t *doubtful, ptrdiff_t count, const double *p) {
    (void)p;
    return tiny_gelu_values(x, out, doubtful, count, 0);
}
INLINE ptrdiff_t retry_gelu_grad(const double *x, double *out, ptrdiff_t *doubtful, ptrdiff_t count,
                                 const double *p) {
    (void)p;
    return tiny_gelu_values(x, out, doubtful, count, 1);
}

/* The tanh GELU: x·σ(v), v = 2·√(2/π)·x·(1 + 0.044715x²) in double-double (its rounding, a
   relative 2**-100, moves σ by |v|·σ(-|v|) times that); its derivative σ(v) + x·σ'(v)·v', which
   cancels below 0 near the root -0.7522: the bound is relative to the terms' magnitude. */
INLINE dd gelu_tanh_argument(double x) {
    dd cubic = {GELU_CUBIC[0], GELU_CUBIC[1]}, factor = {TWO_SQRT_2_OVER_PI[0], TWO_SQRT_2_OVER_PI[1]};
    dd inner = add_d(mul(two_prod(x, x), cubic), 1.0);
    return mul(mul_d(inner, x), factor);
}
INLINE dd gelu_tanh_wide(double x, const double *p, double *s) {
    (void)p;
    double xc = clamp(x, -64.0, 64.0);
    dd v = gelu_tanh_argument(xc), r, t = logistic(v.hi, v.lo, &r);
    dd y = half_near_zero(x, mul_d(v.hi < 0 ? mul(t, r) : r, xc), s);
    return exact_if(x > 64.0 || x < -22.0, x > 0 ? x : -0.0, y, s); /* |x·σ(v)| < 2**-1076 below -22 */
}
INLINE dd gelu_tanh_grad_wide(double x, const double *p, double *s) {
    (void)p;
    double xc = clamp(x, -64.0, 64.0);
    dd v = gelu_tanh_argument(xc), r, t = logistic(v.hi, v.lo, &r), tr = mul(t, r);
    dd cubic3 = mul_d((dd){GELU_CUBIC[0], GELU_CUBIC[1]}, 3.0); /* 3·0.044715: 3 times a double may not be one */
    dd factor = {TWO_SQRT_2_OVER_PI[0], TWO_SQRT_2_OVER_PI[1]};
    dd slope = mul(add_d(mul(two_prod(xc, xc), cubic3), 1.0), factor); /* v' */
    dd x_slope = mul_d(slope, xc), term = mul(mul(tr, r), x_slope);
    dd g = v.hi < 0 ? mul(tr, add_d(mul(r, x_slope), 1.0)) : add(r, term);
    *s = v.hi < 0 ? magnitude(tr.hi * (1.0 + abs_of(r.hi * x_slope.hi))) : *s;
    return exact_if(x > 64.0 || x < -22.0, x > 0 ? 1.0 : -0.0, g, s);
}

/* mish = x·w, w = tanh(softplus(x)) = t(t + 2)/(t² + 2t + 2) below 0, (1 + 2t)/(1 + 2t(1 + t))
   above, t = e^-|x|; mish' = w + x·(1 - w²)·σ(x), as 4x·t(1 + t)/d² scaled by t² above 0 (one
   sign), t·((t + 2)/d + 4x(1 + t)/d²) below, which cancels near the root -1.1924. */
INLINE dd mish_w(double x, dd t, dd *d) {
    dd t2 = add_d(t, 2.0), one_t = add_d(t, 1.0);
    dd negative_d = add_d(mul(t2, t), 2.0), positive_d = add_d(scaled(mul(t, one_t), 2.0), 1.0);
    *d = x < 0 ? negative_d : positive_d;
    return divide(x < 0 ? mul(t, t2) : add_d(scaled(t, 2.0), 1.0), *d);
}
INLINE dd mish_wide(double x, const double *p, double *s) {
    (void)p;
    double xc = clamp(x, -800.0, 40.0);
    dd d, t = exp_of(-abs_of(xc), 0.0);
    dd y = zero_at_zero(x, 1.0, mul_d(mish_w(xc, t, &d), xc), s);
    return exact_if(x > 40.0 || x < -760.0, x > 0 ? x : -0.0, y, s);
}
INLINE dd mish_grad_wide(double x, const double *p, double *s) {
    (void)p;
    double xc = clamp(x, -800.0, 40.0);
    dd d, t = exp_of(-abs_of(xc), 0.0);
    dd w = mish_w(xc, t, &d), one_t = add_d(t, 1.0), dd2 = mul(d, d);
    dd four_x = {4.0 * xc, 0.0};
    dd first = divide(add_d(t, 2.0), d), second = divide(mul(four_x, one_t), dd2);
    dd lower = mul(t, add(first, second));
    dd upper = add(w, divide(mul(four_x, mul(mul(t, t), one_t)), dd2));
    *s = magnitude(x < 0 ? t.hi * (abs_of(first.hi) + abs_of(second.hi)) : abs_of(w.hi) + abs_of(upper.hi - w.hi));
    return exact_if(x > 40.0 || x < -760.0, x > 0 ? 1.0 : -0.0, x < 0 ? lower : upper, s);
}

/* --- the exact kernels of piecewise.h, as double-double results -------------------------- */
#define EXACT(name)                                                                                \
    INLINE dd name##_wide(double x, const double *p, double *s) {                           \
        double unused = 0.0;                                                                       \
        return exactly(name(x, p, &unused), s);                                                   \
    }
EXACT(relu) EXACT(relu_grad) EXACT(relu6) EXACT(relu6_grad) EXACT(leaky_relu_grad) EXACT(prelu_grad)
EXACT(rrelu_grad) EXACT(threshold) EXACT(threshold_grad) EXACT(hardtanh) EXACT(hardtanh_grad)
EXACT(hard_sigmoid_grad) EXACT(sparse_sigmoid_grad) EXACT(hardshrink) EXACT(hardshrink_grad)
EXACT(softshrink_grad) EXACT(identity) EXACT(identity_grad)

/* --- the rounding test and the loop -------------------------------------------------------- */

/* The fast path's double r at v = xs[i] (NaN: v), and doubt: whether the test leaves it doubtful. */
#define WIDE_VALUE(name, bound)                                                                    \
    double v = xs[i], s = -1.0;                                                                    \
    dd y = name##_wide(v, q, &s);                                                                  \
    double hi = y.hi, lo = abs_of(hi) <= 0x1.fffffffffffffp1023 ? y.lo : 0.0;                      \
    s = abs_of(v) == INF ? 0.0 : s; /* the limits are exact */                                     \
    double e = (bound) * (s < 0 ? abs_of(hi) : s) + (s != 0 ? TINY : 0.0);                         \
    double r = v == v ? (lo == 0 ? hi : hi + lo) : v; /* -0 + 0 would be +0 */                     \
    flag_t doubt = ((hi + (lo - e)) != (hi + (lo + e))) & (v == v);

#define WIDE_LOOP(name, bound)                                                                     \
    static ptrdiff_t wide_##name(const double *restrict x, double *restrict out,                   \
                                 ptrdiff_t *restrict doubtful, ptrdiff_t n, const double *restrict p, \
                                 const struct core_format *f) {                                    \
        (void)f;                                                                                   \
        const double q[4] = {p[0], p[1], p[2], p[3]}; /* in registers, not loads in the loop */   \
        BLOCKS(double, WIDE_VALUE(name, bound) ys[i] = r; flag[i] = doubt;)                        \
        return retry_##name(x, out, doubtful, count, q);                                           \
    }

/* For the audits of float32 (actcli.exhaustive): the fast path's double r rounded into float32,
   and r itself (within e plus half an ULP of the exact value: a float32 ULP's 2**-28 at most).
   Doubtful where the exact value may round into float32 otherwise: where r - E and r + E round
   apart, E covering e, r's own rounding and that of r ± E (a double exactly half-way between two
   float32 values is always among them); and where the double test doubts r and r is a float32
   value, zeros included, whose sign the pair may have lost (bin 0 of the audit needs r there to
   be the correctly rounded double). */
#define FLOAT32_LOOP(name, bound)                                                                  \
    static ptrdiff_t audit_##name(const float *restrict x, float *restrict out,                    \
                                  double *restrict exact, ptrdiff_t *restrict doubtful, ptrdiff_t n, \
                                  const double *restrict p) {                                      \
        const double q[4] = {p[0], p[1], p[2], p[3]};                                              \
        BLOCKS(float, WIDE_VALUE(name, bound)                                                      \
               float single = (float)r;                                                            \
               double reach = e + 0x1p-51 * abs_of(r);                                             \
               exact[start + i] = r;                                                               \
               ys[i] = single;                                                                     \
               flag[i] = (((float)(r - reach) != (float)(r + reach)) & (v == v))                   \
                         | (doubt & (r == (double)single));)                                      \
        return count;                                                                              \
    }

/* The bounds, relative to the kernel's scale (docs/core.md derives each; tests/test_core.py
   measures the errors and checks they stay below a quarter of their bound). RETRIED_KERNELS have
   a second look at their doubtful values (retry_NAME) before the accurate path; the others none. */
#define RETRIED_KERNELS(X) X(gelu, 0x1p-80) X(gelu_grad, 0x1p-78)
#define WIDE_KERNELS(X) PLAIN_KERNELS(X) RETRIED_KERNELS(X)
#define PLAIN_KERNELS(X)                                                                           \
    X(relu, 0) X(relu_grad, 0) X(relu6, 0) X(relu6_grad, 0)                                        \
    X(leaky_relu, 0) X(leaky_relu_grad, 0) X(prelu, 0) X(prelu_grad, 0)                            \
    X(rrelu, 0x1p-100) X(rrelu_grad, 0) X(threshold, 0) X(threshold_grad, 0)                       \
    X(hardtanh, 0) X(hardtanh_grad, 0)                                                             \
    X(elu, 0x1p-78) X(elu_grad, 0x1p-88) X(selu, 0x1p-78) X(selu_grad, 0x1p-88)                    \
    X(celu, 0x1p-78) X(celu_grad, 0x1p-88)                                                         \
    X(softplus, 0x1p-78) X(softplus_grad, 0x1p-86) X(sparse_plus, 0x1p-100) X(sparse_plus_grad, 0) \
    X(squareplus, 0x1p-96) X(squareplus_grad, 0x1p-96) X(exponential, 0x1p-88)                     \
    X(exponential_grad, 0x1p-88) X(sigmoid, 0x1p-86) X(sigmoid_grad, 0x1p-86)                      \
    X(log_sigmoid, 0x1p-78) X(log_sigmoid_grad, 0x1p-86)                                           \
    X(hard_sigmoid, 0x1p-100) X(hard_sigmoid_grad, 0) X(sparse_sigmoid, 0) X(sparse_sigmoid_grad, 0)\
    X(tanh, 0x1p-76) X(tanh_grad, 0x1p-86) X(softsign, 0x1p-98) X(softsign_grad, 0x1p-96)          \
    X(tanhshrink, 0x1p-74) X(tanhshrink_grad, 0x1p-75)                                             \
    X(hardshrink, 0) X(hardshrink_grad, 0) X(softshrink, 0) X(softshrink_grad, 0)                  \
    X(gelu_tanh, 0x1p-80) X(gelu_tanh_grad, 0x1p-80)                                               \
    X(silu, 0x1p-86) X(silu_grad, 0x1p-84) X(hardswish, 0x1p-100) X(hardswish_grad, 0x1p-100)      \
    X(mish, 0x1p-82) X(mish_grad, 0x1p-80) X(identity, 0) X(identity_grad, 0)

/* The unrounded pair and the scale of each value, for tests/test_core.py to measure the errors. */
#define WIDE_PARTS(name, bound)                                                                   \
    static void parts_##name(const double *x, double *hi, double *lo, double *scale, ptrdiff_t n,  \
                             const double *p) {                                                     \
        for (ptrdiff_t i = 0; i < n; i++) {                                                         \
            double s = -1.0;                                                                        \
            dd y = name##_wide(x[i], p, &s);                                                        \
            hi[i] = y.hi, lo[i] = y.lo, scale[i] = s < 0 ? abs_of(y.hi) : s;                        \
        }                                                                                           \
    }

#define NO_RETRY(name, bound)                                                                      \
    INLINE ptrdiff_t retry_##name(const double *x, double *out, ptrdiff_t *doubtful, ptrdiff_t count, \
                                  const double *p) {                                               \
        (void)x, (void)out, (void)doubtful, (void)p;                                               \
        return count;                                                                              \
    }
PLAIN_KERNELS(NO_RETRY)
WIDE_KERNELS(WIDE_LOOP)
WIDE_KERNELS(WIDE_PARTS)
WIDE_KERNELS(FLOAT32_LOOP)

#define WIDE_ENTRY(name, bound) {#name, wide_##name, parts_##name, bound, audit_##name},
const struct core_wide_kernel CORE_WIDE_KERNELS_NAME[] = {WIDE_KERNELS(WIDE_ENTRY){NULL, NULL, NULL, 0, NULL}};
