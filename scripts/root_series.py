"""Generate the Taylor coefficients actcli/kernels.py uses next to the interior zeros of derivatives.

    python scripts/root_series.py

Near a simple root x0 of f' (gelu', tanh-gelu', silu', mish'), f'(x) = Φ(x) + x·φ(x) and its kin
are differences of nearly equal terms: the direct formula loses log2(1/|x - x0|) bits. There the
kernels evaluate f'(x0 + h) = h·(c_1 + c_2·h + h²·Σ c_k h^(k-3)) with h = x - x0 in double-double
and c_1, c_2 in double-double too. This script finds x0 and the c_k with mpmath at 60 digits and
prints them as Python constants.
"""

from __future__ import annotations

import mpmath
from mpmath import mp, mpf

mp.dps = 60
RADIUS = mpf("0.25")  # the window |h| < RADIUS the kernels use
DEGREE = 21


def sigmoid(t: mpf) -> mpf:
    return 1 / (1 + mpmath.exp(-t))


def gelu_grad(x: mpf) -> mpf:
    return mpmath.ncdf(x) + x * mpmath.npdf(x)


def gelu_tanh_grad(x: mpf) -> mpf:
    c, k = mpmath.sqrt(2 / mpmath.pi), mpf("0.044715")
    v = 2 * c * (x + k * x**3)
    return sigmoid(v) + x * sigmoid(v) * sigmoid(-v) * 2 * c * (1 + 3 * k * x**2)


def silu_grad(x: mpf) -> mpf:
    return sigmoid(x) * (1 + x * sigmoid(-x))


def mish_grad(x: mpf) -> mpf:
    sp = mpmath.log1p(mpmath.exp(x))
    return mpmath.tanh(sp) + x * mpmath.sech(sp) ** 2 * sigmoid(x)


FUNCTIONS = {
    "GELU": (gelu_grad, -0.75),
    "GELU_TANH": (gelu_tanh_grad, -0.75),
    "SILU": (silu_grad, -1.28),
    "MISH": (mish_grad, -1.19),
}


def main() -> None:
    for name, (fn, guess) in FUNCTIONS.items():
        root = mpmath.findroot(fn, mpf(guess))
        hi = float(root)
        lo = float(root - mpf(hi))
        coefficients = mpmath.taylor(fn, root, DEGREE)[1:]  # c_0 = f'(x0) = 0
        tail = abs(coefficients[-1]) * RADIUS ** DEGREE / abs(coefficients[0])
        print(f"# tail term at the window's edge: {mpmath.nstr(tail, 3)} of the leading term")
        print(f"_{name}_ROOT = ({hi!r}, {lo!r})")
        lead = [part for c in coefficients[:2] for part in (float(c), float(c - mpf(float(c))))]
        print(f"_{name}_LEAD = ({', '.join(repr(v) for v in lead)})")
        print(f"_{name}_SERIES = (")
        for c in coefficients[2:]:
            print(f"    {float(c)!r},")
        print(")")


if __name__ == "__main__":
    main()
