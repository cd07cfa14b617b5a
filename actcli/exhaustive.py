"""``actcli check --exhaustive``: every bit pattern of a format through another implementation
(actcli.against), against the correctly rounded results.

The inputs go in chunks of consecutive bit patterns, over ``jobs`` processes, so memory stays
flat (a chunk's arrays in each). For each chunk:

- the exact value at each x is the core's float64 result (double-double): in float32 its fast
  path's double, within 2**-28 of a float32 ULP, else compute.audit_doubles' (correctly rounded
  but below 2**-900). An output's error, in ULPs of the format, is measured against it;
- the correctly rounded result is, in float32, that double rounded into float32 where that is
  sure (``reference``); in the narrower formats, the core's own result in the format;
- the subject's outputs are compared with it bit for bit: NaN matches NaN, and zeros of either
  sign match (their disagreements are counted apart).

The wrong inputs (not correctly rounded) are grouped into ranges, runs of consecutive inputs
where the subject is wrong, each with its worst error: "wrong for every x in [-9.1, -5.4]".
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np
from numpy.typing import NDArray

from actcli import _core, audit, compute, kernels
from actcli.errors import DataError
from actcli.formats import FORMATS, Format

if TYPE_CHECKING:
    from actcli.registry import Activation, KinkConvention

CHUNK = 1 << 20  # inputs a chunk: its few arrays stay within the processor's last-level cache
RANGES = 10  # the longest ranges kept
NEAR_ZERO = 2.0**-60  # below it f(x) = f'(0)·x + f''(0)·x²/2 + ..., the square term far below a double's ULP
UNSIGNED = {1: np.uint8, 2: np.uint16, 4: np.uint32}
JUDGE_AFTER = 30.0  # seconds before a subject's speed is judged (its start-up, PyTorch's import, is past)


def patterns(fmt: Format, start: int, count: int) -> NDArray[Any]:
    """The values of ``fmt`` with bit patterns start, start + 1, ... (NaN patterns included)."""
    return np.arange(start, start + count, dtype=UNSIGNED[fmt.dtype.itemsize]).view(fmt.dtype)


# --- the correctly rounded results ---------------------------------------------------------------


def near_zero_rule(act: Activation, params: dict[str, Any]) -> tuple[float, float]:
    """(f'(0), the sign of f''(0)) where f(0) = 0 and f'(0) is a power of two (then f'(0)·x is
    exact, and f(x) lies on the side of it that f''(0) says), else (0, 0). From the reference
    kernels: the derivative at 0 and on either side of it."""
    with np.errstate(all="ignore"):
        grad = getattr(kernels, act.name + "_grad")
        slope = float(grad(np.array([0.0]), **params)[0])
        at_zero = getattr(kernels, act.name)(np.array([0.0]), **params)[0]
        if at_zero != 0 or not slope or np.frexp(slope)[0] != 0.5:
            return 0.0, 0.0
        g = grad(np.array([-2.0**-20, 2.0**-20]), **params)
    return slope, float(np.sign(g[1] - g[0]))


def reference(act: Activation, params: dict[str, Any], derivative: bool, kink: KinkConvention,
              fmt: Format, x: NDArray[Any],
              rule: tuple[float, float]) -> tuple[NDArray[Any], NDArray[np.float64]]:
    """(the correctly rounded results in ``fmt``, compute.audit_doubles' doubles) at the values x of
    ``fmt``; ``rule``: ``near_zero_rule(act, params)`` for the values, (0, 0) for derivatives.

    Below float32 the core computes in the format. In float32 the core's float64 kernel rounds
    its double into float32 in the same pass (actcli._core.float32_audit), and flags the inputs
    where that may not be the exact value's rounding (the double within its error bound of a
    float32 midpoint, or on one), or where its double test doubts a float32 value; those are
    settled here (``_settled``)."""
    with np.errstate(all="ignore"):
        if fmt.name != "float32":
            double = compute.audit_doubles(act, x.astype(np.float64), params, derivative, kink)
            return (act.grad(x, kink=kink, **params) if derivative else act(x, **params)), double
        name, numbers = compute.core_kernel(act, params, derivative)
        out, double, doubtful = np.empty_like(x), np.empty(x.size), np.empty(x.size, dtype=np.intp)
        hard = doubtful[:_core.float32_audit(name, x, out, double, doubtful, numbers)]
        if hard.size:
            out[hard], double[hard] = _settled(act, params, derivative, kink, x[hard], rule)
        for point in act.kinks_for(params) if derivative else ():
            at = x == np.float32(point.at)
            out[at], double[at] = np.float32(point.derivative(kink)), point.derivative(kink)
    return out, double


def _settled(act: Activation, params: dict[str, Any], derivative: bool, kink: KinkConvention,
             x: NDArray[np.float32],
             rule: tuple[float, float]) -> tuple[NDArray[np.float32], NDArray[np.float64]]:
    """The float32 results and doubles at the few inputs the core leaves: the doubles correctly
    rounded (compute.audit_doubles), rounded into float32, where a double is exactly a midpoint
    decided again, on the accurate path (actcli.compute.accurate, mpmath for what it cannot
    decide), or for |x| < 2**-60, where the double is f'(0)·x, by which side f''(0) puts f(x) on
    (mpmath would take hours over the 2**24 such inputs of gelu and silu)."""
    values = x.astype(np.float64)
    double = compute.audit_doubles(act, values, params, derivative, kink)
    out = double.astype(np.float32)
    rounded = out.astype(np.float64)
    beyond = np.nextafter(out, np.where(double > rounded, np.inf, -np.inf).astype(np.float32))
    half_way = (np.isfinite(rounded) & (double != rounded)
                & (2 * (double - rounded) == beyond.astype(np.float64) - rounded))
    slope, bend = rule
    tiny = half_way & (np.abs(values) < NEAR_ZERO) & (values * slope == double) & (bend != 0)
    out[tiny] = (np.maximum if bend > 0 else np.minimum)(out[tiny], beyond[tiny])
    hard = half_way & ~tiny
    if hard.any():
        out[hard] = FORMATS["float32"].round(compute.accurate(act, values[hard], params, FORMATS["float32"],
                                                              derivative))
    return out, double


# --- one chunk's findings ------------------------------------------------------------------------


@dataclass
class Run:
    """Consecutive wrong inputs, by bit pattern (first, last), and the worst error among them."""

    first: int
    last: int
    ulp: float
    worst: int

    @property
    def inputs(self) -> int:
        return self.last - self.first + 1

    def joined(self, after: Run) -> Run:
        worse = after if after.ulp > self.ulp else self
        return Run(self.first, after.last, worse.ulp, worse.worst)


DISAGREEMENTS = ("nan", "infinite_input", "overflow", "signed_zero")  # core.h's CORE_TALLY_ order
# _core.tally's counts: the exact outputs, the disagreements, the wrong within 1 ULP, the bins
TALLY_COUNTS = 1 + len(DISAGREEMENTS) + 1 + len(audit.BINS)


@dataclass
class Tally:
    """What a chunk found, or all chunks so far (``add`` folds the next chunk in)."""

    start: int = 0
    stop: int = 0
    rows: int = 0
    correctly_rounded: int = 0
    within_1ulp: int = 0
    histogram: NDArray[np.int64] = field(default_factory=lambda: np.zeros(len(audit.BINS), np.int64))
    worst: list[dict[str, Any]] = field(default_factory=list)
    disagreements: dict[str, int] = field(default_factory=lambda: dict.fromkeys(DISAGREEMENTS, 0))
    runs: list[Run] = field(default_factory=list)  # the longest (and, in a chunk, the edges')
    run_count: int = 0
    open_run: Run | None = None  # the last run, which the next chunk may continue
    peak: tuple[float, int] = (0.0, 0)  # the largest error, and the first input with it

    def add(self, chunk: Tally) -> None:
        self.rows += chunk.rows
        self.correctly_rounded += chunk.correctly_rounded
        self.within_1ulp += chunk.within_1ulp
        self.histogram += chunk.histogram
        if chunk.peak[0] > self.peak[0]:
            self.peak = chunk.peak
        self.worst = _worst(self.worst + chunk.worst)
        for key, count in chunk.disagreements.items():
            self.disagreements[key] += count
        self.run_count += chunk.run_count
        runs = list(chunk.runs)
        if self.open_run and runs and runs[0].first == chunk.start and self.open_run.last == chunk.start - 1:
            runs[0] = self.open_run.joined(runs[0])
            self.run_count -= 1
        elif self.open_run:
            runs.insert(0, self.open_run)
        self.open_run = runs.pop() if runs and runs[-1].last == chunk.stop - 1 else None
        self.runs = _longest(self.runs + runs)
        self.stop = chunk.stop

    def closed(self) -> Tally:
        """The tally with its last run counted among the others."""
        if self.open_run:
            self.runs, self.open_run = _longest([*self.runs, self.open_run]), None
        return self


def _worst(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return sorted(rows, key=lambda r: (-r["ulp"], r["bits"]))[:audit.WORST]


def _longest(runs: list[Run]) -> list[Run]:
    return sorted(runs, key=lambda r: (-r.inputs, -r.ulp, r.first))[:RANGES]


def tally(fmt: Format, start: int, x: NDArray[Any], y: NDArray[Any], correct: NDArray[Any],
          exact: NDArray[np.float64]) -> Tally:
    """The findings over one chunk: inputs x (bit patterns from ``start``), the subject's outputs
    y, the correctly rounded ones, and the exact values as doubles. The counts and bins are
    actcli.audit's, in one pass of the core (``_core.tally``, on the values as float32: every
    narrower format's are float32 values); only the outputs that differ from the correct ones have
    their errors measured (a correct output is within 0.5 ULP: in bin 0 where it is the exact
    value, or a correct infinity or NaN, else in bin <=0.5)."""
    x32, y32, c32 = (np.ascontiguousarray(a, dtype=np.float32) for a in (x, y, correct))
    wrong, errors = np.empty(x.size, dtype=np.intp), np.empty(x.size)
    counts = np.empty(TALLY_COUNTS, dtype=np.int64)
    size = _core.tally(x32, y32, c32, np.ascontiguousarray(exact), fmt.emin, fmt.precision, wrong, errors,
                       counts)
    wrong, errors = wrong[:size], errors[:size]
    exact_outputs = int(counts[0])
    found = Tally(start, start + x.size, x.size, x.size - size)
    found.disagreements = dict(zip(DISAGREEMENTS, counts[1:5].tolist(), strict=True))
    found.within_1ulp = found.correctly_rounded + int(counts[5])
    found.histogram = counts[6:].copy()
    found.histogram[:2] += exact_outputs, found.correctly_rounded - exact_outputs
    if size == 0:  # the largest error is then a correct output's: measured by run() if needed
        return found
    worst = _largest(errors, audit.WORST)
    found.peak = (float(errors[worst[0]]), start + int(wrong[worst[0]]))
    found.worst = [{"x": float(x32[i]), "bits": start + int(i), "y": float(y32[i]),
                    "correctly_rounded": float(c32[i]), "ulp": float(errors[k])}
                   for k, i in zip(worst.tolist(), wrong[worst].tolist(), strict=True)]
    # Runs: where the next wrong input is not the next input, a run ends.
    ends = np.flatnonzero(np.diff(wrong) != 1)
    firsts, lasts = np.r_[0, ends + 1], np.r_[ends, wrong.size - 1]
    found.run_count = firsts.size
    peaks = np.maximum.reduceat(errors, firsts)
    for k in sorted({0, firsts.size - 1, *_largest(lasts - firsts, RANGES).tolist()}):
        at = firsts[k] + int(np.argmax(errors[firsts[k]:lasts[k] + 1]))
        found.runs.append(Run(start + int(wrong[firsts[k]]), start + int(wrong[lasts[k]]), float(peaks[k]),
                              start + int(wrong[at])))
    return found


def _largest(values: NDArray[Any], count: int) -> NDArray[np.intp]:
    """The indices of the ``count`` largest values, largest first (the first of equals first)."""
    if values.size > count:
        part = np.argpartition(-values, count - 1)[:count]
        values_part = values[part]
        return part[np.lexsort((part, -values_part))]
    return np.argsort(-values, kind="stable")


# --- the whole run -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Job:
    """What every chunk needs: picklable, for the processes that run them."""

    activation: str
    params: dict[str, Any]
    derivative: bool
    kink: KinkConvention
    format: str
    subject: str


_worker: dict[str, Any] = {}


def _start_worker(job: Job) -> None:
    """A process's set-up, once: the activation, its reference's bend, the subject (one thread)."""
    from actcli import against
    from actcli.registry import get

    act = get(job.activation)
    _worker.update(job=job, act=act, rule=(0.0, 0.0) if job.derivative else near_zero_rule(act, job.params),
                   subject=against.subject(job.subject, act.name, job.params, job.derivative,
                                           FORMATS[job.format], threads=1))


def _largest_correct_error(bounds: tuple[int, int]) -> tuple[float, int]:
    """(the largest error, its input) of a chunk whose outputs are all correctly rounded."""
    job, act = _worker["job"], _worker["act"]
    fmt = FORMATS[job.format]
    start, count = bounds
    x = patterns(fmt, start, count)
    with np.errstate(all="ignore"):
        correct, exact = reference(act, job.params, job.derivative, job.kink, fmt, x, _worker["rule"])
        errors = audit.ulp_errors(correct.astype(np.float64), exact, correct.astype(np.float64), fmt)
    top = int(np.argmax(errors))
    return float(errors[top]), start + top


def _run_chunk(bounds: tuple[int, int]) -> Tally:
    job, act = _worker["job"], _worker["act"]
    fmt = FORMATS[job.format]
    start, count = bounds
    x = patterns(fmt, start, count)
    with np.errstate(all="ignore"):  # NaN and infinite inputs are among them, by design
        correct, exact = reference(act, job.params, job.derivative, job.kink, fmt, x, _worker["rule"])
        try:
            y = _worker["subject"](x)
        except DataError as error:
            digits = 2 * fmt.dtype.itemsize
            raise DataError(f"{error}, in the chunk of inputs {start:#0{digits + 2}x} to "
                            f"{start + count - 1:#0{digits + 2}x}") from None
        return tally(fmt, start, x, y, correct, exact)


def chunks(fmt: Format) -> Iterator[tuple[int, int]]:
    total = 1 << (8 * fmt.dtype.itemsize)
    return ((start, min(CHUNK, total - start)) for start in range(0, total, CHUNK))


def run(job: Job, jobs: int, progress: Callable[[int], None], time_limit: float) -> tuple[Tally, float]:
    """Every input of the job's format, on ``jobs`` processes (1: this one); ``progress(n)`` hears
    of the inputs done. A subject so slow that the whole would take longer than ``time_limit``
    seconds stops the run after JUDGE_AFTER seconds. Returns the findings and the seconds taken.
    Where every output is correctly rounded, the largest error is a correct output's: measured in
    a second pass (the first measures only the outputs that differ from the correct ones)."""
    fmt = FORMATS[job.format]
    total = 1 << (8 * fmt.dtype.itemsize)
    found = Tally()
    started = time.perf_counter()

    def fold(chunk: Tally) -> None:
        found.add(chunk)
        progress(chunk.rows)
        elapsed = time.perf_counter() - started
        if found.rows < total and elapsed > JUDGE_AFTER and elapsed * total / found.rows > time_limit:
            rate = found.rows / elapsed
            raise DataError(f"--against {job.subject}: {rate:,.0f} inputs/s, so the {total:,} inputs "
                            f"would take about {total / rate / 60:,.0f} minutes, past --time-limit "
                            f"{time_limit:g} s")

    def over_chunks(work: Callable[[tuple[int, int]], Any]) -> Iterator[Any]:
        if jobs <= 1 or total <= CHUNK:
            _start_worker(job)
            yield from map(work, chunks(fmt))
            return
        import multiprocessing

        # fork: the workers inherit the imports; each builds its own subject (PyTorch included)
        with multiprocessing.get_context("fork").Pool(jobs, _start_worker, (job,)) as pool:
            yield from pool.imap(work, chunks(fmt))

    for chunk in over_chunks(_run_chunk):
        fold(chunk)
    if found.correctly_rounded == found.rows:
        found.peak = max(over_chunks(_largest_correct_error), key=lambda peak: (peak[0], -peak[1]))
    return found.closed(), time.perf_counter() - started


def default_jobs() -> int:
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1


def report(found: Tally, fmt: Format, label: str, derivative: bool, source: str,
           seconds: float) -> audit.Report:
    """The findings as actcli check reports them, with the ranges and the disagreements; inputs
    as values, and the worst ones also as their bit patterns."""
    from actcli import __version__

    def value(bits: int) -> float:
        return float(patterns(fmt, bits, 1)[0])

    def hexadecimal(bits: int) -> str:
        return f"{bits:#0{2 + 2 * fmt.dtype.itemsize}x}"

    worst = [{**row, "bits": hexadecimal(row["bits"])} for row in found.worst]
    ranges = [{"from": min(value(r.first), value(r.last)), "to": max(value(r.first), value(r.last)),
               "inputs": r.inputs, "max_ulp": r.ulp, "worst_x": value(r.worst)} for r in found.runs]
    peak_ulp, peak_bits = found.peak
    return audit.Report(label, derivative, fmt.name, found.rows, found.correctly_rounded, found.within_1ulp,
                        peak_ulp, value(peak_bits) if peak_ulp > 0 else None,
                        dict(zip(audit.BINS, found.histogram.tolist(), strict=True)), worst, source=source,
                        ranges=ranges, range_count=found.run_count, disagreements=found.disagreements,
                        seconds=round(seconds, 1), actcli_version=__version__)
