/* Decimal text to doubles and back, for the plain-number stream (actcli/inputs.py, render.py).

Reading: numbers separated by blanks, commas and newlines, each correctly rounded by Eisel and
Lemire's algorithm, which needs no fallback for up to 19 significant digits (Mushtak and Lemire,
"Fast number parsing without fallback", 2023). Anything else (a comment, a byte outside ASCII,
inf, more digits, a bad token) is refused: the reader stops at the start of that line and the
Python reader takes the line, so every error keeps its one wording.

Writing: each double as Python's repr spells it (the shortest digits that read back, the nearest
of them; positional from 1e-4 to 1e16), by Giulietti's Schubfach; NaN, inf and -inf as
actcli/numtext.py spells them. Both conversions are exact integer arithmetic: no libm, no locale.
*/
#include <stdint.h>
#include <string.h>

#include "core.h"
#include "decimal_tables.h"

static inline int is_digit(char c) { return (unsigned char)(c - '0') < 10; }

struct product { uint64_t high, low; };

static inline struct product multiply(uint64_t a, uint64_t b) {
#ifdef __SIZEOF_INT128__
    unsigned __int128 p = (unsigned __int128)a * b;
    return (struct product){(uint64_t)(p >> 64), (uint64_t)p};
#else
    uint64_t a0 = (uint32_t)a, a1 = a >> 32, b0 = (uint32_t)b, b1 = b >> 32;
    uint64_t p00 = a0 * b0, p01 = a0 * b1, p10 = a1 * b0, p11 = a1 * b1;
    uint64_t middle = p10 + (p00 >> 32) + (uint32_t)p01;
    return (struct product){p11 + (middle >> 32) + (p01 >> 32), (middle << 32) | (uint32_t)p00};
#endif
}

static inline int leading_zeros(uint64_t x) {  /* x != 0 */
#if defined(__GNUC__) || defined(__clang__)
    return __builtin_clzll(x);
#else
    int n = 0;
    while (!(x >> 63)) { x <<= 1; n++; }
    return n;
#endif
}

static inline double from_bits(uint64_t bits) {
    double v;
    memcpy(&v, &bits, sizeof v);
    return v;
}

/* --- reading -------------------------------------------------------------------------------- */

/* w·10**q correctly rounded, for w != 0 of at most 19 digits (Eisel-Lemire, binary64). */
static double scaled(uint64_t w, int64_t q) {
    if (q < -342) return 0.0;
    if (q > 308) return from_bits(0x7FF0000000000000u);
    int lz = leading_zeros(w);
    w <<= lz;
    const struct u128 *power = &POWERS_OF_FIVE[q + 342];
    struct product p = multiply(w, power->high);
    if ((p.high & 0x1FF) == 0x1FF) {  /* the 55 bits kept may still change: add the next word */
        struct product next = multiply(w, power->low);
        p.low += next.high;
        p.high += p.low < next.high;
    }
    int upper = (int)(p.high >> 63), shift = upper + 9;
    uint64_t mantissa = p.high >> shift;
    /* (217706·q) >> 16 is floor(q·log2(10)) for |q| < 350 (217706/2**16 ≈ log2(10)); the
       arithmetic shift floors negative products too. */
    int64_t power2 = ((217706 * q) >> 16) + 63 + upper - lz + 1023;
    if (power2 <= 0) {  /* subnormal, or zero */
        if (-power2 + 1 >= 64) return 0.0;
        mantissa >>= -power2 + 1;
        mantissa += mantissa & 1;
        mantissa >>= 1;
        power2 = mantissa < (1ull << 52) ? 0 : 1;
        return from_bits(((uint64_t)power2 << 52) | (mantissa & ((1ull << 52) - 1)));
    }
    /* A tie (all bits below the kept ones zero) rounds to even; it happens only for small q. */
    if (p.low <= 1 && q >= -4 && q <= 23 && (mantissa & 3) == 1 && (mantissa << shift) == p.high)
        mantissa &= ~1ull;
    mantissa += mantissa & 1;
    mantissa >>= 1;
    if (mantissa >= (2ull << 52)) {
        mantissa = 1ull << 52;
        power2++;
    }
    if (power2 >= 0x7FF) return from_bits(0x7FF0000000000000u);
    return from_bits(((uint64_t)power2 << 52) | (mantissa & ((1ull << 52) - 1)));
}

/* What separates numbers: 1 a blank (space, tab, CR, FF, VT, comma), 2 a newline. */
static const unsigned char SEPARATOR[256] = {
    ['\t'] = 1, ['\n'] = 2, ['\v'] = 1, ['\f'] = 1, ['\r'] = 1, [' '] = 1, [','] = 1,
};

/* Eight ASCII digits at p, and their value (little-endian SWAR, as fast_float does). */
static inline int eight_digits(const char *p, uint64_t *value) {
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
    uint64_t v;
    memcpy(&v, p, 8);
    if ((((v & 0xF0F0F0F0F0F0F0F0u) | (((v + 0x0606060606060606u) & 0xF0F0F0F0F0F0F0F0u) >> 4))
         != 0x3333333333333333u))
        return 0;
    v -= 0x3030303030303030u;
    v = v * 10 + (v >> 8);  /* pairs of digits */
    v = (((v & 0x000000FF000000FFu) * (100 + (1000000ull << 32)))
         + (((v >> 16) & 0x000000FF000000FFu) * (1 + (10000ull << 32)))) >> 32;
    *value = (uint32_t)v;
    return 1;
#else
    (void)p, (void)value;
    return 0;
#endif
}

/* The digits from p on, into w; returns where they end. */
static inline const char *read_digits(const char *p, const char *end, uint64_t *w) {
    uint64_t eight;
    while (end - p >= 8 && eight_digits(p, &eight)) {
        *w = *w * 100000000u + eight;
        p += 8;
    }
    for (; p < end && is_digit(*p); p++) *w = 10 * *w + (uint64_t)(*p - '0');
    return p;
}

/* One token [+-](digits[.digits] | .digits)[(e|E)[+-]digits], which must end at a blank, a
   newline or the end; its length, or 0 to refuse it. */
static ptrdiff_t read_token(const char *s, const char *end, double *value) {
    const char *p = s;
    int negative = 0;
    if (p < end && (*p == '+' || *p == '-')) negative = *p++ == '-';
    const char *first = p;
    while (p < end && *p == '0') p++;  /* leading zeros are not significant */
    uint64_t w = 0;  /* the significant digits; they wrap beyond 19, which are refused */
    const char *figures_start = p;
    p = read_digits(p, end, &w);
    ptrdiff_t figures = p - figures_start, digits = p - first;
    int64_t q = 0;
    if (p < end && *p == '.') {
        const char *fraction = ++p;
        if (figures == 0)
            while (p < end && *p == '0') p++;
        figures_start = p;
        p = read_digits(p, end, &w);
        figures += p - figures_start;
        digits += p - fraction;
        q = -(p - fraction);
    }
    if (digits == 0 || figures > 19) return 0;
    if (p < end && (*p == 'e' || *p == 'E')) {
        p++;
        int exponent_negative = 0;
        if (p < end && (*p == '+' || *p == '-')) exponent_negative = *p++ == '-';
        if (p == end || !is_digit(*p)) return 0;
        int64_t exponent = 0;
        for (; p < end && is_digit(*p); p++)
            if (exponent < 100000) exponent = 10 * exponent + (*p - '0');  /* beyond: 0 or inf */
        q += exponent_negative ? -exponent : exponent;
    }
    if (p < end && !SEPARATOR[(unsigned char)*p]) return 0;
    double v = w == 0 ? 0.0 : scaled(w, q);
    *value = negative ? -v : v;
    return p - s;
}

ptrdiff_t core_read_decimal(const char *s, ptrdiff_t n, double *out, ptrdiff_t *count,
                            ptrdiff_t *lines) {
    ptrdiff_t i = 0, line_start = 0, found = 0, found_before_line = 0, newlines = 0;
    while (i < n) {
        unsigned char kind = SEPARATOR[(unsigned char)s[i]];
        if (kind == 2) {
            line_start = ++i;
            found_before_line = found;
            newlines++;
        } else if (kind == 1) {
            i++;
        } else {
            ptrdiff_t length = read_token(s + i, s + n, &out[found]);
            if (length == 0) {
                *count = found_before_line;
                *lines = newlines;
                return line_start;
            }
            found++;
            i += length;
        }
    }
    *count = found;
    *lines = newlines;
    return n;
}

/* --- writing -------------------------------------------------------------------------------- */

/* floor(g·cp / 2**128), made odd when inexact (round to odd); g a POWERS_OF_TEN entry. */
static inline uint64_t round_to_odd(const struct u128 *g, uint64_t cp) {
    struct product x = multiply(g->low, cp), y = multiply(g->high, cp);
    y.low += x.high;
    y.high += y.low < x.high;
    return y.high | (y.low != 0);
}

/* The shortest decimal digits·10**exponent that reads back to v > 0 (finite), the nearest of
   them to v, trailing zeros removed (Schubfach: Giulietti's figure 6). */
static uint64_t shortest_digits(double v, int *exponent) {
    uint64_t bits;
    memcpy(&bits, &v, sizeof bits);
    uint64_t fraction = bits & ((1ull << 52) - 1), biased = bits >> 52;
    uint64_t c;
    int q;
    if (biased != 0) {
        c = fraction | (1ull << 52);
        q = (int)biased - 1075;
    } else {
        c = fraction;
        q = -1074;
    }
    uint64_t digits;
    int k;
    if (q <= 0 && q > -53 && (c & ((1ull << -q) - 1)) == 0) {  /* an integer below 2**53 */
        digits = c >> -q;
        k = 0;
    } else {
        int even = (c & 1) == 0, closer_below = fraction == 0 && biased > 1;
        uint64_t cbl = 4 * c - 2 + (uint64_t)closer_below, cb = 4 * c, cbr = 4 * c + 2;
        /* k = floor(log10(2**q)), or floor(log10(3/4·2**q)) when the gap below is the smaller;
           h = q + floor(log2(10**-k)) + 1, in [1, 4]. Arithmetic shifts floor. */
        k = (q * 1262611 - (closer_below ? 524031 : 0)) >> 22;
        int h = q + ((-k * 1741647) >> 19) + 1;
        const struct u128 *g = &POWERS_OF_TEN[-k + 292];
        uint64_t vbl = round_to_odd(g, cbl << h), vb = round_to_odd(g, cb << h),
                 vbr = round_to_odd(g, cbr << h);
        uint64_t lower = vbl + !even, upper = vbr - !even;
        uint64_t s = vb / 4;
        digits = 0;
        if (s >= 10) {  /* one digit fewer, when exactly one of its candidates reads back */
            uint64_t sp = s / 10;
            int up_inside = lower <= 40 * sp, wp_inside = 40 * sp + 40 <= upper;
            if (up_inside != wp_inside) {
                digits = sp + (uint64_t)wp_inside;
                k++;
            }
        }
        if (digits == 0) {
            int u_inside = lower <= 4 * s, w_inside = 4 * s + 4 <= upper;
            if (u_inside != w_inside) {
                digits = s + (uint64_t)w_inside;
            } else {  /* both read back: the nearer, ties to even */
                uint64_t middle = 4 * s + 2;
                digits = s + (uint64_t)(vb > middle || (vb == middle && (s & 1)));
            }
        }
    }
    while (digits % 10 == 0) {
        digits /= 10;
        k++;
    }
    *exponent = k;
    return digits;
}

static const char PAIRS[201] =
    "00010203040506070809101112131415161718192021222324252627282930313233343536373839"
    "40414243444546474849505152535455565758596061626364656667686970717273747576777879"
    "8081828384858687888990919293949596979899";

static const uint64_t POWERS[20] = {
    1u, 10u, 100u, 1000u, 10000u, 100000u, 1000000u, 10000000u, 100000000u, 1000000000u,
    10000000000u, 100000000000u, 1000000000000u, 10000000000000u, 100000000000000u,
    1000000000000000u, 10000000000000000u, 100000000000000000u, 1000000000000000000u,
    10000000000000000000u};

/* v's text at p; returns its end. Copies are of fixed sizes, up to 32 bytes past the end (the
   caller leaves room): the compiler makes them a few moves, where a variable size is a call. */
static char *write_double(char *p, double v) {
    uint64_t bits;
    memcpy(&bits, &v, sizeof bits);
    if ((bits & 0x7FF0000000000000u) == 0x7FF0000000000000u) {
        const char *text = (bits & ((1ull << 52) - 1)) ? "NaN" : (bits >> 63) ? "-inf" : "inf";
        memcpy(p, text, 4);  /* "NaN" and "inf" with their NUL, written over next */
        return p + strlen(text);
    }
    if (bits >> 63) *p++ = '-';
    if ((bits << 1) == 0) {
        memcpy(p, "0.0", 4);
        return p + 3;
    }
    int exponent;
    uint64_t digits = shortest_digits(from_bits(bits & ~(1ull << 63)), &exponent);
    int n = ((64 - leading_zeros(digits)) * 1233) >> 12;  /* floor(log10) or one less */
    n += digits >= POWERS[n];
    char figures[48];
    char *f = figures + n;  /* written from the last digit, two at a time, in 32-bit steps */
    if (digits >= 100000000u) {
        uint32_t low = (uint32_t)(digits % 100000000u);
        digits /= 100000000u;
        for (int i = 0; i < 4; i++, low /= 100) memcpy(f -= 2, PAIRS + 2 * (low % 100), 2);
    }
    uint32_t high = (uint32_t)digits;
    for (; high >= 100; high /= 100) memcpy(f -= 2, PAIRS + 2 * (high % 100), 2);
    if (high >= 10)
        memcpy(f - 2, PAIRS + 2 * high, 2);
    else
        f[-1] = (char)('0' + high);
    int point = n + exponent;  /* the value is 0.FIGURES·10**point */
    if (point > -4 && point <= 16) {  /* positional, as repr writes from 1e-4 to 1e16 */
        if (point <= 0) {
            memcpy(p, "0.000000", 8);
            p += 2 - point;
            memcpy(p, figures, 24);
            return p + n;
        }
        memcpy(p, figures, 24);
        if (point >= n) {
            p += n;
            memset(p, '0', 16);
            p += point - n;
            memcpy(p, ".0", 2);
            return p + 2;
        }
        p[point] = '.';
        memcpy(p + point + 1, figures + point, 24);
        return p + n + 1;
    }
    p[0] = figures[0];
    p[1] = '.';
    memcpy(p + 2, figures + 1, 24);
    p += n > 1 ? n + 1 : 1;
    int e = point - 1;
    *p++ = 'e';
    *p++ = e < 0 ? '-' : '+';
    if (e < 0) e = -e;
    if (e >= 100) *p++ = (char)('0' + e / 100);
    memcpy(p, PAIRS + 2 * (e % 100), 2);
    return p + 2;
}

ptrdiff_t core_write_rows(const double *const *columns, const ptrdiff_t *strides, int width,
                          ptrdiff_t rows, char separator, char *out) {
    char *p = out;
    for (ptrdiff_t r = 0; r < rows; r++) {
        for (int c = 0; c < width; c++) {
            if (c) *p++ = separator;
            double v;  /* memcpy: a column may be unaligned (a view into a record array) */
            memcpy(&v, (const char *)columns[c] + r * strides[c], sizeof v);
            p = write_double(p, v);
        }
        *p++ = '\n';
    }
    return p - out;
}
