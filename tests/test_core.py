"""The compiled core (actcli._core) against the reference kernels it replaces below float64.

The reference (actcli/kernels.py in double-double, rounded to odd, ties decided by mpmath) is
correctly rounded in every narrow format, and so is the core: they must agree bit for bit on
10**6 inputs per function (random bit patterns, so every exponent, subnormals, ±inf and NaN; a
normal(0, 3) sample; and the hard points: kinks, roots of derivatives, saturation ends). NaN
compares equal to NaN whatever its payload (the core passes the input's NaN on).

The fast path's error bounds, which its rounding test rests on, are checked here too: each
kernel's double result against the float64 reference (within 0.505 ULP of the exact value) on
the same inputs, every error below a quarter of the bound the kernel declares.

float64 (core/wide.c, double-double): the reference is within 0.505 ULP, not correctly rounded,
so the core must equal it wherever the two agree on the rounding, and wherever they differ the
core must hold the correctly rounded double, which mpmath decides (actcli.exact). The float64
inputs are random bit patterns, a normal(0, 3) sample and the hard points.
"""

from __future__ import annotations

from functools import cache
from typing import Any

import numpy as np
import pytest

import actcli
from actcli import _core, compute
from actcli.formats import FORMATS
from tests.points import hard_points

SIZE = 1_000_000


def cases() -> list[tuple[str, dict[str, Any]]]:
    """Every elementwise activation, with the parameter choices that take other branches."""
    extra: dict[str, list[dict[str, Any]]] = {
        "gelu": [{"approximate": "tanh"}], "softplus": [{"threshold": 20.0}, {"beta": 3.0}],
        "elu": [{"alpha": 0.3}], "celu": [{"alpha": 0.3}], "leaky_relu": [{"negative_slope": -0.5}],
        "squareplus": [{"b": 1e-150}, {"b": 1e150}], "hardtanh": [{"min_val": -0.1, "max_val": 0.7}],
        "threshold": [{"threshold": 0.3, "value": -1.2}], "softshrink": [{"lambd": 0.1}],
    }
    return [(name, params) for name in actcli.names() if not actcli.get(name).vector
            for params in [{}, *extra.get(name, [])]]


CASES = cases()
IDS = [name + "".join(f",{k}={v}" for k, v in params.items()) for name, params in CASES]


@cache
def inputs() -> np.ndarray:
    """Random float32 bit patterns and a normal(0, 3) sample."""
    rng = np.random.default_rng(19)
    patterns = rng.integers(0, 2**32, SIZE // 2, dtype=np.uint64).astype(np.uint32).view(np.float32)
    return np.concatenate([patterns, rng.normal(0.0, 3.0, SIZE // 2).astype(np.float32)])


def case_inputs(name: str, params: dict[str, Any]) -> np.ndarray:
    """The inputs, and the activation's hard points in float32 (kinks, roots, saturation ends)."""
    return np.concatenate([inputs(), hard_points(name, params, np.float32).astype(np.float32)])


def reference(act: actcli.Activation, x: np.ndarray, params: dict[str, Any], derivative: bool) -> np.ndarray:
    """The reference path, as compute took it before the core: kernels in double-double rounded to
    odd, ambiguous results decided by mpmath, kinks by convention."""
    from actcli import kernels

    values, shape, fmt = compute._prepare(x)
    bound = act.bind(params)
    y = compute._run(getattr(kernels, act.name + ("_grad" if derivative else "")), act, values, bound, fmt)
    result: np.ndarray = compute._finish(y, values, shape, fmt, act, bound, derivative)
    for point in act.kinks_for(bound) if derivative else []:
        np.copyto(result, fmt.round(np.array([point.derivative("pytorch")]))[0], where=values == point.at)
    return result


def same_bits(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    unsigned = {1: np.uint8, 2: np.uint16, 4: np.uint32}[a.itemsize]
    both_nan = np.isnan(a.astype(np.float32)) & np.isnan(b.astype(np.float32))
    return (a.view(unsigned) == b.view(unsigned)) | both_nan  # type: ignore[no-any-return]


def assert_as_the_reference(act: actcli.Activation, x: np.ndarray, params: dict[str, Any],
                            derivative: bool) -> None:
    with np.errstate(all="ignore"):
        core = act.grad(x, **params) if derivative else act(x, **params)
        ref = reference(act, x, params, derivative)
    differ = ~same_bits(core, ref)
    first = np.flatnonzero(differ)[:3]
    assert not differ.any(), [(float(x[i]), float(core[i]), float(ref[i])) for i in first]


@pytest.mark.parametrize("derivative", [False, True], ids=["value", "grad"])
@pytest.mark.parametrize(("name", "params"), CASES, ids=IDS)
def test_float32_bit_for_bit_with_the_reference(name: str, params: dict[str, Any], derivative: bool) -> None:
    assert_as_the_reference(actcli.get(name), case_inputs(name, params), params, derivative)


@pytest.mark.parametrize("fmt", ["float16", "bfloat16", "float8_e4m3fn", "float8_e5m2"])
@pytest.mark.parametrize(("name", "params"), CASES, ids=IDS)
def test_narrow_formats_every_input_bit_for_bit(name: str, params: dict[str, Any], fmt: str) -> None:
    """Every bit pattern of the format, values and derivatives."""
    dtype = FORMATS[fmt].dtype
    unsigned = np.uint16 if dtype.itemsize == 2 else np.uint8
    x = np.arange(2 ** (8 * dtype.itemsize), dtype=np.uint32).astype(unsigned).view(dtype)
    for derivative in (False, True):
        assert_as_the_reference(actcli.get(name), x, params, derivative)


@pytest.mark.parametrize(("name", "params"), CASES, ids=IDS)
def test_the_error_bounds_hold_with_room(name: str, params: dict[str, Any]) -> None:
    """The core's double against the float64 reference: every error below a quarter of the bound
    the kernel declares (in units of 2**-53 of the result), beside the reference's own 0.505 ULP."""
    act = actcli.get(name)
    bound = act.bind(params)
    with np.errstate(invalid="ignore"):  # signalling NaN patterns
        x = case_inputs(name, params)[::10].astype(np.float64)
    bounds = dict(_core.kernels())
    for derivative in (False, True):
        kernel, numbers = compute.core_kernel(act, bound, derivative)
        if bounds[kernel] == 0:
            continue
        y = np.empty_like(x)  # the unrounded doubles, as the core gives them for the 16-bit formats
        _core.narrow(kernel, x, y, np.empty(x.size, np.intp), numbers, "bfloat16")
        with np.errstate(all="ignore"):
            exact = act.grad(x, **params) if derivative else act(x, **params)
            finite = np.isfinite(exact) & (np.abs(exact) > 2.0**-1000)
            error = np.abs(y[finite] - exact[finite]) / np.abs(exact[finite]) / 2.0**-53
        worst = float(np.max(error, initial=0.0))
        assert worst + 0.6 < bounds[kernel] / 4, (kernel, worst, float(x[finite][np.argmax(error)]))


@pytest.mark.parametrize(("name", "params"), CASES, ids=IDS)
def test_doubtful_values_are_rare(name: str, params: dict[str, Any]) -> None:
    """The rounding test leaves few values to the accurate path (those come out right above)."""
    act = actcli.get(name)
    x = case_inputs(name, params)
    y, doubtful = np.empty_like(x), np.empty(x.size, np.intp)
    for derivative in (False, True):
        kernel, numbers = compute.core_kernel(act, act.bind(params), derivative)
        count = _core.narrow(kernel, x, y, doubtful, numbers, "float32")
        assert np.all(np.diff(doubtful[:count]) > 0)  # indices, in order
        # rrelu: x·(1/8 + 1/3)/2 lies within 2**-55 of a midpoint for x a multiple of 3
        assert count <= (0.05 if kernel == "rrelu" else 0.001) * x.size, (kernel, count)


def test_the_baseline_build_gives_the_same_bits() -> None:
    """The module runs its x86-64-v3 build (AVX2, FMA: other roundings inside) where the processor
    has it; ACTCLI_CORE_BASELINE=1 forces the portable one. Correctly rounded, both agree."""
    import os
    import subprocess
    import sys

    program = ("import sys, numpy as np, actcli, actcli._core as c; from tests.test_core import inputs; "
               "x = inputs(); print(c.instruction_set); names = ('gelu', 'silu', 'softplus', 'tanh'); "
               "np.save(sys.argv[1], np.stack([actcli.get(n)(x) for n in names]))")
    results = []
    for forced in ("1", ""):
        path = f"/tmp/actcli-core-{os.getpid()}-{forced or 'auto'}.npy"
        environment = {**os.environ, "ACTCLI_CORE_BASELINE": forced}
        ran = subprocess.run([sys.executable, "-c", program, path], capture_output=True, text=True,
                             check=True, env=environment)
        results.append((ran.stdout.strip(), np.load(path)))
        os.unlink(path)
    assert results[0][0] == "baseline"
    assert results[0][1].tobytes() == results[1][1].tobytes()


WIDE = _core.wide_kernels()
WIDE_SIZE = 200_000


@cache
def wide_inputs() -> np.ndarray:
    rng = np.random.default_rng(64)
    patterns = rng.integers(0, 2**64, WIDE_SIZE // 2, dtype=np.uint64).view(np.float64)
    return np.concatenate([patterns, rng.normal(0.0, 3.0, WIDE_SIZE // 2)])


def correctly_rounded(act: actcli.Activation, x: float, params: dict[str, Any], derivative: bool) -> float:
    """The double nearest the exact value, from mpmath alone: the exact value to 90 bits, then
    the side of each midpoint around its nearest double (a tie goes to the even one)."""
    from fractions import Fraction

    from actcli import exact

    value = exact.value(act, x, act.bind(params), derivative)
    assert value is not None
    y = float(value)
    for neighbour in (np.nextafter(y, np.inf), np.nextafter(y, -np.inf)):
        midpoint = (Fraction(y) + Fraction(float(neighbour))) / 2
        side = exact.side(act, x, act.bind(params), derivative, midpoint)
        if side == (1 if neighbour > y else -1) or (side == 0 and np.float64(y).view(np.int64) & 1):
            return float(neighbour)
    return y


@pytest.mark.parametrize("derivative", [False, True], ids=["value", "grad"])
@pytest.mark.parametrize(("name", "params"), CASES, ids=IDS)
def test_float64_correctly_rounded(name: str, params: dict[str, Any], derivative: bool) -> None:
    act = actcli.get(name)
    kernel, _ = compute.core_kernel(act, act.bind(params), derivative)
    if kernel not in WIDE:
        pytest.skip(f"no float64 kernel in the core for {kernel} yet: the reference's 0.505 ULP")
    with np.errstate(invalid="ignore"):
        x = np.concatenate([wide_inputs(), hard_points(name, params, np.float64)])
    with np.errstate(all="ignore"):
        core = act.grad(x, **params) if derivative else act(x, **params)
        ref = reference(act, x, params, derivative)
    same = (core.view(np.int64) == ref.view(np.int64)) | (np.isnan(core) & np.isnan(ref))
    zeros = (core == 0) & (ref == 0)  # a zero's sign is a convention: it must match the reference
    assert not (zeros & ~same).any(), x[zeros & ~same][:5]
    differ = np.flatnonzero(~same)
    assert differ.size <= 0.02 * x.size, differ.size  # only within 0.005 ULP of a midpoint
    wrong = [(float(x[i]), float(core[i])) for i in differ
             if correctly_rounded(act, float(x[i]), params, derivative) != core[i]]
    assert not wrong, wrong[:5]


@pytest.mark.parametrize("derivative", [False, True], ids=["value", "grad"])
def test_gelu_tiny_results_are_settled_in_the_core(derivative: bool) -> None:
    """Below x = -37.2 gelu and its derivative are tiny (subnormal below -37.5, 0 below -38.6):
    the core rounds them once from the unscaled pair, so none goes to mpmath (a CSV of
    normal(0, 10) values has 50 in a million there), and each is the correctly rounded double,
    the sign of a zero included."""
    act = actcli.get("gelu")
    x = np.r_[np.random.default_rng(11).uniform(-39.2, -37.0, 300), -38.58, -38.59, -37.5]
    out, doubtful = np.empty_like(x), np.empty(x.size, dtype=np.intp)
    assert _core.narrow("gelu_grad" if derivative else "gelu", x, out, doubtful, (), "float64") == 0
    expected = [correctly_rounded(act, float(v), {}, derivative) for v in x]
    assert np.array(expected).tobytes() == out.tobytes()
    zero = x < (-38.7 if derivative else -38.6)  # where |f| < 2**-1075
    assert (out[zero] == 0).all() and np.signbit(out[zero]).all() and (out[x > -37.5] != 0).all()


@pytest.mark.parametrize("derivative", [False, True], ids=["value", "grad"])
@pytest.mark.parametrize(("name", "params"), CASES, ids=IDS)
def test_float64_error_bounds_hold_with_room(name: str, params: dict[str, Any], derivative: bool) -> None:
    """The double-double pair (hi + lo, before its rounding) against the exact value (mpmath, to
    90 bits at least): every error below a quarter of the bound the kernel declares, relative to
    its scale (|hi|, or the magnitude of terms that cancel), plus the 2**-1060 of underflow."""
    from fractions import Fraction

    from actcli import exact

    act = actcli.get(name)
    bound = act.bind(params)
    kernel, numbers = compute.core_kernel(act, bound, derivative)
    if WIDE.get(kernel, 0) == 0:
        pytest.skip(f"{kernel}: exact in float64, or not in the core yet")
    rng = np.random.default_rng(7)
    hard = hard_points(name, params, np.float64)
    kinks = [k.at for k in act.kinks_for(bound)]
    x = np.concatenate([rng.normal(0.0, 3.0, 500), rng.choice(hard[np.isfinite(hard)], 500)])
    x = x[~np.isin(x, kinks)]
    hi, lo, scale = (np.empty_like(x) for _ in range(3))
    _core.wide_parts(kernel, x, hi, lo, scale, numbers)
    allowed = WIDE[kernel] / 4
    for v, high, low, s in zip(x, hi, lo, scale, strict=True):
        value = exact.value(act, float(v), bound, derivative)
        if value is None or s == 0 or not np.isfinite(high):
            continue
        error = abs(Fraction(float(high)) + Fraction(float(low)) - value)
        assert error <= Fraction(allowed) * Fraction(float(s)) + Fraction(2) ** -1060, (
            kernel, float(v), float(error / Fraction(float(s))) if s else None)
