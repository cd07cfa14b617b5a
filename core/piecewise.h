/* The kernels whose double result is exact, or one correct rounding of an exact value: the
   same code gives the result in every format (narrow.c) and in float64 (wide.c). Signature
   value(x, parameters, bound): the bound is untouched (the loops start it at 0 for these). */
#ifndef ACTCLI_PIECEWISE_H
#define ACTCLI_PIECEWISE_H

#include "arith.h"

#define P(i) (p[i])

static inline double relu(double x, const double *p, double *b) { (void)p; return x < 0 ? 0.0 : x; }
static inline double relu_grad(double x, const double *p, double *b) { (void)p; return only_if(x > 0, 1.0); }
static inline double relu6(double x, const double *p, double *b) { (void)p; return x < 0 ? 0.0 : x > 6 ? 6.0 : x; }
static inline double relu6_grad(double x, const double *p, double *b) { (void)p; return only_if(x > 0 && x < 6, 1.0); }
static inline double slope_unit_grad(double x, double slope) { return x > 0 ? 1.0 : slope; }
static inline double leaky_relu_grad(double x, const double *p, double *b) { return slope_unit_grad(x, P(0)); }
static inline double prelu_grad(double x, const double *p, double *b) { return leaky_relu_grad(x, p, b); }
static inline double rrelu_grad(double x, const double *p, double *b) { return slope_unit_grad(x, (P(0) + P(1)) / 2); }
static inline double threshold(double x, const double *p, double *b) { return x <= P(0) ? P(1) : x; }
static inline double threshold_grad(double x, const double *p, double *b) { return only_if(x > P(0), 1.0); }
static inline double hardtanh(double x, const double *p, double *b) { return x < P(0) ? P(0) : x > P(1) ? P(1) : x; }
static inline double hardtanh_grad(double x, const double *p, double *b) { return only_if(x > P(0) && x < P(1), 1.0); }
static inline double hard_sigmoid_grad(double x, const double *p, double *b) {
    (void)p;
    return only_if(x > -3.0 && x < 3.0, 1.0 / 6.0);
}
static inline double sparse_sigmoid_grad(double x, const double *p, double *b) {
    (void)p; /* at ±1 JAX's 0.25, the mean of the sides (the registry's default convention) */
    return x == 1.0 || x == -1.0 ? 0.25 : only_if(x > -1.0 && x < 1.0, 0.5);
}
static inline double hardshrink(double x, const double *p, double *b) { return abs_of(x) > P(0) ? x : 0.0; }
static inline double hardshrink_grad(double x, const double *p, double *b) { return only_if(abs_of(x) > P(0), 1.0); }
static inline double softshrink_grad(double x, const double *p, double *b) { return only_if(abs_of(x) > P(0), 1.0); }
static inline double identity(double x, const double *p, double *b) { (void)p; return x; }
static inline double identity_grad(double x, const double *p, double *b) { (void)p; return only_if(x == x, 1.0); }

#endif
