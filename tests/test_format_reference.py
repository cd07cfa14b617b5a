"""tests/data/format_reference.npz against the script that makes it (scripts/format_reference.py).

The file holds, for float16, bfloat16, float8_e4m3fn and float8_e5m2, every activation's value and
derivative at every finite input, correctly rounded from the mpmath reference. Here: the layout is
complete, a few known answers hold, a fixed random sample of ~150 entries (spread over formats, cases,
kinds, subnormal and extreme inputs and saturated results) recomputes to the same bits, and the script's own
rounding agrees with ml_dtypes' single float64 -> format conversion (exactly representable float64
inputs, midpoints, overflow and underflow boundaries). Zeros: the file stores +0 for exact zeros
(mpmath has no -0), so consumers compare zeros without their sign.
"""

from __future__ import annotations

import importlib.util
import sys
from functools import cache
from pathlib import Path
from types import ModuleType

import mpmath
import numpy as np
import pytest
from mpmath import mpf

from tests import reference

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "tests" / "data" / "format_reference.npz"
FORMATS = ("float16", "bfloat16", "float8_e4m3fn", "float8_e5m2")
CASES = (*reference.NAMES, "gelu:approximate=tanh", *reference.VECTOR_NAMES)
SAMPLE = 150


@cache
def script() -> ModuleType:
    path = ROOT / "scripts" / "format_reference.py"
    spec = importlib.util.spec_from_file_location("format_reference", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module   # dataclasses look their module up while the class is made
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def data() -> dict[str, np.ndarray]:
    with np.load(DATA) as npz:
        return {key: npz[key] for key in npz.files}


def test_layout_is_complete(data: dict[str, np.ndarray]) -> None:
    fr = script()
    assert set(fr.CASES) == set(CASES)
    expected = {f"{f}/x" for f in FORMATS} | {
        f"{f}/{case}/{kind}" for f in FORMATS for case in CASES for kind in ("value", "grad", "grad_kinks")
    }
    assert set(data) == expected
    for name in FORMATS:
        f = fr.fmt(name)
        x = data[f"{name}/x"]
        assert x.dtype == f.uint
        assert np.array_equal(x, fr.finite_bits(f))
        assert np.all(np.diff(x.astype(np.int64)) > 0)
        assert np.all(np.isfinite(x.view(f.dtype).astype(np.float64)))
        assert len(x) == (1 << f.width) - int(np.sum(~np.isfinite(
            np.arange(1 << f.width).astype(f.uint).view(f.dtype).astype(np.float32))))
        for case in CASES:
            for kind in ("value", "grad"):
                a = data[f"{name}/{case}/{kind}"]
                assert a.dtype == f.uint and a.shape == x.shape, (name, case, kind)
            kinks = data[f"{name}/{case}/grad_kinks"]
            assert kinks.dtype == np.int32 and kinks.ndim == 1
            assert np.all(np.diff(kinks) > 0) and np.all((kinks >= 0) & (kinks < len(x)))
            assert not np.any(data[f"{name}/{case}/grad"][kinks])


def test_known_kinks(data: dict[str, np.ndarray]) -> None:
    for name in FORMATS:
        x = data[f"{name}/x"].view(script().fmt(name).dtype).astype(np.float64)
        assert sorted(x[data[f"{name}/relu/grad_kinks"]].tolist()) == [0.0, 0.0]
        assert sorted(x[data[f"{name}/hardswish/grad_kinks"]].tolist()) == [-3.0, 3.0]
        assert len(data[f"{name}/identity/grad_kinks"]) == len(data[f"{name}/softmax/grad_kinks"]) == 0


def test_known_values(data: dict[str, np.ndarray]) -> None:
    """Spot checks: identity and relu copy exact inputs; x - tanh(x) = x - sign(x) + (tiny) rounds to x
    once |x| > 2^p (where x - sign(x) can be a midpoint: the reference alone returns it exactly)."""
    for name in FORMATS:
        f = script().fmt(name)
        x = data[f"{name}/x"]
        v = x.view(f.dtype).astype(np.float64)
        assert np.array_equal(data[f"{name}/identity/value"], np.where(v == 0, 0, x))
        assert np.array_equal(data[f"{name}/relu/value"], np.where(v > 0, x, 0))
        big = np.abs(v) > 2.0 ** f.p
        assert big.any() and np.array_equal(data[f"{name}/tanhshrink/value"][big], x[big])
        edge = np.flatnonzero(np.abs(v) == 2.0 ** f.p)           # 2^p - 1 is representable
        got = data[f"{name}/tanhshrink/value"][edge].view(f.dtype).astype(np.float64)
        assert np.array_equal(got, v[edge] - np.sign(v[edge]))


def _sample(data: dict[str, np.ndarray]) -> list[tuple[str, str, str, int]]:
    """(format, case, kind, index): random inputs, subnormals, the largest magnitudes, and inputs
    whose stored result is at the format's largest finite value or beyond."""
    fr = script()
    rng = np.random.default_rng(20240611)
    picks: list[tuple[str, str, str, int]] = []
    for i in range(SAMPLE):
        name = FORMATS[i % len(FORMATS)] if i % 3 else FORMATS[i % 2]   # the 16-bit formats twice as often
        case = CASES[int(rng.integers(len(CASES)))]
        kind = ("value", "grad")[(i // 4) % 2]
        f = fr.fmt(name)
        x = data[f"{name}/x"]
        magnitude = x & ((1 << (f.width - 1)) - 1)
        category = i % 5
        if category == 1:
            candidates = np.flatnonzero((magnitude > 0) & (magnitude < (1 << (f.p - 1))))
        elif category == 2:
            candidates = np.argsort(magnitude, kind="stable")[-16:]
        elif category == 3:
            stored = data[f"{name}/{case}/{kind}"] & ((1 << (f.width - 1)) - 1)
            candidates = np.flatnonzero(stored >= int(np.max(magnitude)))
            if not len(candidates):
                candidates = np.flatnonzero(stored == np.max(stored))
        else:
            candidates = np.arange(len(x))
        picks.append((name, case, kind, int(rng.choice(candidates))))
    for name in ("float16", "bfloat16"):        # x - tanh(x) on a midpoint at 40 digits (resolved)
        f = fr.fmt(name)
        v = data[f"{name}/x"].view(f.dtype).astype(np.float64)
        tie_binade = np.flatnonzero((np.abs(v) > 2.0 ** f.p) & (np.abs(v) < 2.0 ** (f.p + 1)))
        picks += [(name, "tanhshrink", "value", int(i)) for i in rng.choice(tie_binade, 2)]
    return picks


def test_sample_recomputes(data: dict[str, np.ndarray]) -> None:
    fr = script()
    picks = _sample(data)
    assert {p[0] for p in picks} == set(FORMATS) and len({p[1] for p in picks}) > 20
    mismatches = []
    for name, case, kind, index in picks:
        bits = int(data[f"{name}/x"][index])
        got = fr.entry(name, case, kind, bits)
        kinks = data[f"{name}/{case}/grad_kinks"]
        if got is None:
            ok = kind == "grad" and index in kinks and int(data[f"{name}/{case}/grad"][index]) == 0
        else:
            ok = int(data[f"{name}/{case}/{kind}"][index]) == got and not (kind == "grad" and index in kinks)
        if not ok:
            mismatches.append((name, case, kind, index, hex(bits)))
    assert not mismatches


def _neighbour_midpoints(values: np.ndarray) -> np.ndarray:
    """Midpoints of neighbouring finite values, and the float64s on either side of each."""
    v = np.unique(values[values >= 0])
    mid = (v[:-1] + v[1:]) / 2           # exact in float64: at most 12 significant bits
    return np.concatenate([mid, np.nextafter(mid, 0), np.nextafter(mid, np.inf)])


def _boundaries(ulp_top: float, top: float, tiny: float) -> np.ndarray:
    """Around the largest finite value, the overflow threshold and the smallest subnormal."""
    half_ulp_top = ulp_top / 2
    points = [top, top + half_ulp_top, top + ulp_top, top + 3 * half_ulp_top, 2 * top, 2 * top + ulp_top,
              top - half_ulp_top, tiny, tiny / 2, 3 * tiny / 2, 5 * tiny / 2, tiny / 4, 0.0, 1e300, 1e-300]
    a = np.array(points)
    return np.concatenate([a, np.nextafter(a, 0), np.nextafter(a, np.inf)])


@pytest.mark.parametrize("name", FORMATS)
def test_rounding_matches_ml_dtypes(name: str) -> None:
    """round_bits equals ml_dtypes' cast from float32 (a single, correct rounding; ml_dtypes 0.6
    casts float64 through float32, which would round twice), on float32 inputs, the float32
    numbers next to each midpoint of the format included."""
    fr = script()
    f = fr.fmt(name)
    rng = np.random.default_rng(7)
    finite = fr.finite_bits(f)
    values = finite.view(f.dtype).astype(np.float64)
    for b, v in zip(finite.tolist(), values.tolist(), strict=True):      # the encoding itself
        assert fr.round_bits(mpf(v), f) == (0 if v == 0 else b), (name, hex(b))

    mids = _neighbour_midpoints(values)
    if len(mids) > 3000:
        mids = rng.choice(mids, 3000, replace=False)
    count = 3000
    exponents = rng.integers(f.emin - f.p - 3, f.emax + 3, count)
    short = np.ldexp(rng.integers(1 << f.p, 1 << (f.p + 3), count).astype(np.float64), exponents - f.p)
    full = np.ldexp(rng.uniform(1, 2, count), exponents)
    top = float(f.max_significand) * 2.0 ** (f.emax - (f.p - 1))
    tiny = 2.0 ** (f.emin - (f.p - 1))
    xs = np.concatenate([mids, short, full, _boundaries(top / f.max_significand, top, tiny)])
    with np.errstate(over="ignore"):
        single = xs.astype(np.float32)
        xs = np.concatenate([single, np.nextafter(single, np.float32(0)),
                             np.nextafter(single, np.float32(np.inf))])
    xs = np.concatenate([xs, -xs[xs != 0]])      # mpmath has no -0
    with np.errstate(over="ignore"):
        want = xs.astype(f.dtype)
    want_bits = want.view(f.uint).tolist()
    want_nan = np.isnan(want.astype(np.float64)).tolist()
    bad = []
    for x, w, nan in zip(xs.tolist(), want_bits, want_nan, strict=True):
        got = fr.round_bits(mpf(x), f)
        if not (got == w or (nan and got == f.nan_bits)):
            bad.append((x, hex(got), hex(w)))
    assert not bad, bad[:10]


def test_rounding_rules() -> None:
    fr = script()
    e4m3, f16 = fr.fmt("float8_e4m3fn"), fr.fmt("float16")
    assert fr.round_bits(mpf(464), e4m3) == fr.round_bits(mpf(448), e4m3) == 0x7E
    assert fr.round_bits(mpf(470), e4m3) == fr.round_bits(mpf("inf"), e4m3) == e4m3.nan_bits == 0x7F
    assert fr.round_bits(mpf(-470), e4m3) == 0x7F
    assert fr.round_bits(mpf(65520), f16) == 0x7C00 and fr.round_bits(mpf(-65520), f16) == 0xFC00
    assert fr.round_bits(mpf(65519.99), f16) == 0x7BFF
    assert fr.round_bits(mpf(2) ** -25, f16) == 0 and fr.round_bits(-(mpf(2) ** -25), f16) == 0x8000
    with mpmath.workprec(400):                   # exact sums, rounded at the default precision below
        just_above_tie = mpf(2) ** -25 * (1 + mpf(2) ** -200)
        above_half_ulp = 1 + mpf(2) ** -11 + mpf(2) ** -300
        below_half_ulp = 1 + mpf(2) ** -11 - mpf(2) ** -300
        negative_above_tie, negative_below_tie = -just_above_tie, -just_above_tie + mpf(2) ** -224
    assert fr.round_bits(just_above_tie, f16) == 1 and fr.round_bits(negative_above_tie, f16) == 0x8001
    assert fr.round_bits(negative_below_tie, f16) == 0x8000
    assert fr.round_bits(mpf(3) * 2 ** -25, f16) == 2
    assert fr.round_bits(mpf(2) ** 10**30, f16) == 0x7C00 and fr.round_bits(mpf(2) ** -(10**30), f16) == 0
    assert fr.round_bits(above_half_ulp, f16) == 0x3C01 and fr.round_bits(below_half_ulp, f16) == 0x3C00
    assert fr.round_bits(1 + mpf(2) ** -11, f16) == 0x3C00
    assert fr.round_bits(1 + mpf(3) * 2 ** -11, f16) == 0x3C02
    assert fr.round_bits(mpf(0), f16) == 0 and fr.round_bits(mpf("nan"), f16) == f16.nan_bits
