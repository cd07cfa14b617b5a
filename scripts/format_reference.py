"""Generate tests/data/format_reference.npz: every activation, correctly rounded, at each low-precision value.

    nice -n 19 python scripts/format_reference.py [--formats F ...] [--cases C ...] [--out PATH] [--jobs N]

For each format (float16, bfloat16, float8_e4m3fn, float8_e5m2) every finite value (both zeros,
subnormals, normals; ascending bit patterns) is an input. For each case (every name in
tests/reference.py's NAMES at its defaults, gelu:approximate=tanh, and softmax / log_softmax on [x, 0]
keeping component 0) the exact value and derivative from the mpmath reference are rounded into the
format by round_bits below: integer arithmetic on the exact mpf, round to nearest, ties to even,
exponent unbounded above, then overflow to ±inf (NaN in float8_e4m3fn, which has no infinity; NaN is
always the format's canonical quiet NaN). Exact zeros are stored as +0 (mpmath has no signed zero;
compare zeros without their sign); nonzero results that round to zero keep their sign. Where the
derivative has a kink its index goes to {F}/{case}/grad_kinks and 0 bits are stored.

The reference is exact to ~40 digits only, so a result on a midpoint or within 2^-100 quantum of one
is re-evaluated by the same formulas at doubling precision (see resolve): this rounds x - tanh(x)
correctly for 2^p < |x| < 2^(p+1), where the reference returns the midpoint x - sign(x) exactly.
The full run takes ~5 minutes on 2 cores (~8 million entries, ~500 s of CPU).

Keys: {F}/x (input bits, uint16 or uint8), {F}/{case}/value, {F}/{case}/grad (result bits, same
dtype), {F}/{case}/grad_kinks (int32 indices into {F}/x). The zip members are written in sorted order
with a fixed timestamp, so the same arrays give the same bytes; load with numpy.load(path).
"""

from __future__ import annotations

import argparse
import io
import multiprocessing
import os
import sys
import time
import zipfile
from collections import Counter
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

import ml_dtypes
import mpmath
import numpy as np
from mpmath import mpf

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from tests import reference  # noqa: E402

OUT = ROOT / "tests" / "data" / "format_reference.npz"
FORMAT_NAMES: tuple[str, ...] = ("float16", "bfloat16", "float8_e4m3fn", "float8_e5m2")
CASES: tuple[str, ...] = (*reference.NAMES, "gelu:approximate=tanh", *reference.VECTOR_NAMES)
KINDS: tuple[str, ...] = ("value", "grad")
CHUNK = 4096          # inputs per task
SLOW_SECONDS = 0.05   # report single evaluations slower than this
NEAR_TIE_BITS = 100   # results within 2^-100 quantum of a midpoint (not on it) are re-evaluated
RESOLVE_MAX_DPS = 10_000  # re-evaluation precision limit (digits) for results on or near a midpoint
ZIP_TIME = (2020, 1, 1, 0, 0, 0)


@dataclass(frozen=True)
class Format:
    """An IEEE-like binary format: p significand bits (with the implicit one), exponents emin..emax."""

    name: str
    dtype: np.dtype
    uint: type[np.unsignedinteger]
    width: int            # bits per value
    p: int
    emin: int
    emax: int
    max_significand: int  # max = max_significand * 2^(emax - (p - 1))
    inf_bits: int | None  # None: no infinity (overflow and ±inf give NaN)
    nan_bits: int         # canonical quiet NaN


@cache
def fmt(name: str) -> Format:
    """The parameters of a format, from ml_dtypes.finfo and the format's own NaN / inf encodings."""
    dtype = np.dtype(getattr(ml_dtypes, name) if name != "float16" else np.float16)
    info = ml_dtypes.finfo(dtype)  # type: ignore[no-untyped-call]
    uint = np.uint8 if dtype.itemsize == 1 else np.uint16
    p, emin, emax = int(info.nmant) + 1, int(info.minexp), int(info.maxexp) - 1
    man, exp = mpf(float(info.max)).man_exp
    max_significand = int(man) << (int(exp) - (emax - (p - 1)))
    with np.errstate(over="ignore", invalid="ignore"):
        inf = np.array(np.inf, dtype=dtype)
        has_inf = bool(np.isinf(inf.astype(np.float64)))
        nan_bits = int(np.array(np.nan, dtype=dtype).view(uint))
    return Format(name, dtype, uint, dtype.itemsize * 8, p, emin, emax, max_significand,
                  int(inf.view(uint)) if has_inf else None, nan_bits)


def finite_bits(f: Format) -> np.ndarray:
    """Every bit pattern of f that encodes a finite value, ascending."""
    bits = np.arange(1 << f.width, dtype=np.int64).astype(f.uint)
    with np.errstate(invalid="ignore"):
        return bits[np.isfinite(bits.view(f.dtype).astype(np.float64))]


def decode(f: Format, bits: int) -> float:
    """The value of one bit pattern as a float64 (exact: a widening conversion)."""
    return float(np.array(bits, dtype=f.uint).view(f.dtype).astype(np.float64))


def _overflow(f: Format, negative: bool) -> int:
    if f.inf_bits is None:
        return f.nan_bits
    return f.inf_bits | (negative << (f.width - 1))


def round_bits(v: mpf, f: Format, flags: list[str] | None = None) -> int:
    """Bits of the exact mpf v rounded into f (nearest, ties to even); see the module docstring.

    If flags is given, "nan" is appended for a NaN v, "tie" when v lies exactly on a midpoint and
    "near-tie" when it lies within 2^-NEAR_TIE_BITS of a quantum from one without being on it.
    """
    if mpmath.isnan(v):
        if flags is not None:
            flags.append("nan")
        return f.nan_bits
    if mpmath.isinf(v):
        return _overflow(f, v < 0)
    if not v:
        return 0
    man, exp = (int(n) for n in v.man_exp)     # |v| = man * 2^exp exactly (abs(v) would round)
    negative = bool(v < 0)
    sign = int(negative) << (f.width - 1)
    top = exp + man.bit_length() - 1            # 2^top <= |v| < 2^(top + 1)
    if top > f.emax:                            # >= 2^(emax + 1) > max, whatever the rounding
        return _overflow(f, negative)
    if top < f.emin - f.p:                      # below half the smallest subnormal
        return sign
    q = max(top, f.emin) - (f.p - 1)            # quantum exponent: subnormals share emin's
    shift = q - exp
    if shift <= 0:
        n = man << -shift
    else:
        n, rem = man >> shift, man & ((1 << shift) - 1)
        half = 1 << (shift - 1)
        if rem > half or (rem == half and n & 1):
            n += 1
        if flags is not None:
            if rem == half:
                flags.append("tie")
            elif abs(rem - half) << NEAR_TIE_BITS < (1 << shift):
                flags.append("near-tie")
    if n == 0:
        return sign
    if n == 1 << f.p:                           # carried into the next binade
        n, q = n >> 1, q + 1
    if q > f.emax - (f.p - 1) or (q == f.emax - (f.p - 1) and n > f.max_significand):
        return _overflow(f, negative)
    mantissa_mask = (1 << (f.p - 1)) - 1
    if n >> (f.p - 1) == 0:                     # subnormal (q is emin's quantum)
        return sign | n
    biased = q + (f.p - 1) - f.emin + 1
    return sign | (biased << (f.p - 1)) | (n & mantissa_mask)


def parse_case(case: str) -> tuple[str, dict[str, object]]:
    """'gelu:approximate=tanh' -> ('gelu', {'approximate': 'tanh'})."""
    name, *items = case.split(":")
    params: dict[str, object] = {}
    for item in items:
        key, raw = item.split("=", 1)
        try:
            params[key] = float(raw)
        except ValueError:
            params[key] = raw
    return name, params


def exact(case: str, kind: str, x: float) -> mpf:
    """The reference value or derivative; raises ValueError("kink") where the derivative is undefined."""
    name, params = parse_case(case)
    if name in reference.VECTOR_NAMES:
        vector = reference.vector_value if kind == "value" else reference.vector_derivative
        return vector(name, [x, 0.0], **params)[0]
    scalar = reference.value if kind == "value" else reference.derivative
    return scalar(name, x, **params)


@contextmanager
def reference_digits(dps: int) -> Iterator[None]:
    """Run tests/reference.py's own formulas at about dps digits (its precision constants, restored after)."""
    names = ("_BASE_DPS", "_WORK_DPS", "_AGREE_BITS", "_MAX_DPS")
    saved = {name: getattr(reference, name) for name in names}
    changed = {"_BASE_DPS": dps, "_WORK_DPS": dps, "_AGREE_BITS": int(dps * 3.32) - 40,
               "_MAX_DPS": max(saved["_MAX_DPS"], 4 * dps)}
    try:
        for name, value in changed.items():
            setattr(reference, name, value)
        yield
    finally:
        for name, value in saved.items():
            setattr(reference, name, value)


def resolve(f: Format, case: str, kind: str, x: float, first: int, first_tie: bool) -> tuple[int, list[str]]:
    """Rounding of a result found on or near a midpoint, re-evaluated at doubling precision.

    The reference is exact to ~40 digits only: x - tanh(x) at x = 2050 is 2049 + 2e^-4100, which it
    returns as the float16 midpoint 2049 (ties to even would give 2048). Re-evaluate until two
    successive precisions round alike off a midpoint; a value still exactly on the midpoint at
    RESOLVE_MAX_DPS digits is a true tie (the exact piecewise-polynomial functions) and goes to even.
    """
    previous, previous_tie = first, first_tie
    dps = int(reference._WORK_DPS)
    while 2 * dps <= RESOLVE_MAX_DPS:
        dps *= 2
        flags: list[str] = []
        with reference_digits(dps):
            current = round_bits(exact(case, kind, x), f, flags)
        tie = "tie" in flags
        if current == previous and not tie and not previous_tie:
            return current, ["changed"] if current != first else []
        previous, previous_tie = current, tie
    if previous_tie:
        return previous, ["tie"] + (["changed"] if previous != first else [])
    return previous, ["unconfirmed"]


def entry(format_name: str, case: str, kind: str, bits: int, flags: list[str] | None = None) -> int | None:
    """The stored bits for one input bit pattern, or None at a kink of the derivative.

    flags, if given, receives round_bits' "nan" / "tie" / "near-tie" for the reference's first result,
    and resolve's "changed" (the first rounding was wrong), "unconfirmed" or "tie" (a true tie).
    """
    f = fmt(format_name)
    x = decode(f, bits)
    found: list[str] = []
    try:
        result = round_bits(exact(case, kind, x), f, found)
    except ValueError as error:
        if kind == "grad" and str(error) == "kink":
            return None
        raise
    if "tie" in found or "near-tie" in found:
        result, more = resolve(f, case, kind, x, result, "tie" in found)
        found = [flag for flag in found if flag != "tie"] + more
    if flags is not None:
        flags += found
    return result


@dataclass
class Chunk:
    format_name: str
    case: str
    kind: str
    start: int
    bits: np.ndarray
    out: np.ndarray | None = None
    kinks: list[int] = field(default_factory=list)
    counts: Counter[str] = field(default_factory=Counter)   # entry's flags, and "slow"
    notes: list[str] = field(default_factory=list)
    slowest: tuple[float, float] = (0.0, 0.0)                 # (seconds, x)
    seconds: float = 0.0


def run_chunk(chunk: Chunk) -> Chunk:
    """Evaluate one chunk of inputs (in a worker process)."""
    t0 = time.perf_counter()
    f = fmt(chunk.format_name)
    out = np.zeros(len(chunk.bits), dtype=f.uint)
    for i, b in enumerate(chunk.bits.tolist()):
        flags: list[str] = []
        t = time.perf_counter()
        result = entry(chunk.format_name, chunk.case, chunk.kind, b, flags)
        dt = time.perf_counter() - t
        x = decode(f, b)
        if result is None:
            chunk.kinks.append(chunk.start + i)
        else:
            out[i] = result
        chunk.counts.update(flags)
        chunk.notes += [f"{flag} at x={x!r}" for flag in flags if flag in ("nan", "unconfirmed")]
        if dt > SLOW_SECONDS:
            chunk.counts["slow"] += 1
        chunk.slowest = max(chunk.slowest, (dt, x))
    chunk.bits = chunk.bits[:0]
    chunk.out = out
    chunk.seconds = time.perf_counter() - t0
    return chunk


def chunks(formats: Sequence[str], cases: Sequence[str], inputs: dict[str, np.ndarray]) -> Iterator[Chunk]:
    for name in formats:
        for case in cases:
            for kind in KINDS:
                for start in range(0, len(inputs[name]), CHUNK):
                    yield Chunk(name, case, kind, start, inputs[name][start:start + CHUNK])


def self_test(formats: Sequence[str]) -> None:
    """Every finite value encodes to its own bits; round_bits matches ml_dtypes on exact float64s."""
    rng = np.random.default_rng(0)
    for name in formats:
        f = fmt(name)
        bits = finite_bits(f)
        for b in bits.tolist():
            assert round_bits(mpf(decode(f, b)), f) in (b, 0 if b == 1 << (f.width - 1) else b), (name, b)
        xs = np.ldexp(rng.uniform(-2, 2, 20_000), rng.integers(f.emin - f.p - 3, f.emax + 3, 20_000))
        with np.errstate(over="ignore"):
            want = xs.astype(f.dtype).view(f.uint).tolist()
        for x, w in zip(xs.tolist(), want, strict=True):
            got = round_bits(mpf(x), f)
            assert got == w or (got == f.nan_bits and np.isnan(np.array(w, f.uint).view(f.dtype))), (name, x)


def write_npz(path: Path, arrays: dict[str, np.ndarray]) -> None:
    """numpy.savez_compressed, but with sorted members and a fixed timestamp (reproducible bytes)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    with zipfile.ZipFile(tmp, "w", compression=zipfile.ZIP_LZMA) as z:
        for key in sorted(arrays):
            buffer = io.BytesIO()
            np.lib.format.write_array(buffer, np.ascontiguousarray(arrays[key]), allow_pickle=False)
            info = zipfile.ZipInfo(key + ".npy", date_time=ZIP_TIME)
            info.compress_type = zipfile.ZIP_LZMA
            info.external_attr = 0o644 << 16
            z.writestr(info, buffer.getvalue())
    tmp.replace(path)


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--formats", nargs="+", default=list(FORMAT_NAMES), choices=FORMAT_NAMES)
    parser.add_argument("--cases", nargs="+", default=list(CASES), choices=CASES)
    parser.add_argument("--out", type=Path, default=OUT)
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--limit", type=int, default=None, help="only the first N inputs (for timing)")
    args = parser.parse_args(argv)
    os.nice(max(0, 19 - os.nice(0)))
    self_test(args.formats)
    print("self-test passed", file=sys.stderr)

    inputs = {name: finite_bits(fmt(name))[:args.limit] for name in args.formats}
    arrays: dict[str, np.ndarray] = {f"{name}/x": bits for name, bits in inputs.items()}
    kinks: dict[str, list[int]] = {}
    counts: dict[str, Counter[str]] = {}
    slowest: dict[str, tuple[float, float]] = {}
    for name in args.formats:
        for case in args.cases:
            for kind in KINDS:
                arrays[f"{name}/{case}/{kind}"] = np.zeros(len(inputs[name]), dtype=fmt(name).uint)
                counts[f"{name}/{case}/{kind}"] = Counter()
                slowest[f"{name}/{case}/{kind}"] = (0.0, 0.0)
            kinks[f"{name}/{case}"] = []
    tasks = list(chunks(args.formats, args.cases, inputs))
    total = sum(len(t.bits) for t in tasks)
    done, t0, cpu = 0, time.perf_counter(), 0.0
    with multiprocessing.Pool(args.jobs) as pool:
        for chunk in pool.imap_unordered(run_chunk, tasks):
            assert chunk.out is not None
            cell = f"{chunk.format_name}/{chunk.case}"
            key = f"{cell}/{chunk.kind}"
            arrays[key][chunk.start:chunk.start + len(chunk.out)] = chunk.out
            kinks[cell] += chunk.kinks
            counts[key].update(chunk.counts)
            slowest[key] = max(slowest[key], chunk.slowest)
            done += len(chunk.out)
            cpu += chunk.seconds
            elapsed = time.perf_counter() - t0
            for note in chunk.notes:
                print(f"  {key}: {note}", file=sys.stderr)
            print(f"{done}/{total} ({100 * done / total:.1f}%) {elapsed:.0f} s, "
                  f"eta {elapsed * (total - done) / done:.0f} s: {key} "
                  f"{len(chunk.out) / chunk.seconds:.0f}/s", file=sys.stderr)
    for cell, indices in kinks.items():
        arrays[f"{cell}/grad_kinks"] = np.array(sorted(indices), dtype=np.int32)
    print("cell: kinks, flags (tie: a true midpoint, to even; changed: the reference's first value rounded "
          "otherwise), slowest entry", file=sys.stderr)
    for key, count in counts.items():
        cell = key.rsplit("/", 1)[0]
        n_kinks = len(kinks[cell]) if key.endswith("grad") else 0
        dt, x = slowest[key]
        if n_kinks or count or dt > SLOW_SECONDS:
            flags = " ".join(f"{flag}={n}" for flag, n in sorted(count.items()))
            print(f"  {key}: kinks={n_kinks} {flags} slowest {dt * 1e3:.1f} ms at x={x!r}", file=sys.stderr)
    write_npz(args.out, arrays)
    print(f"wrote {args.out}: {len(arrays)} arrays, {args.out.stat().st_size} bytes, "
          f"{time.perf_counter() - t0:.0f} s wall, {cpu:.0f} s cpu", file=sys.stderr)


if __name__ == "__main__":
    main()
