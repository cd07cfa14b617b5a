"""Long fuzzing runs of the command line and the CSV stream mode (tests/fuzzing.py's generators
and oracles), thousands of cases in parallel:

    python scripts/fuzz.py --count 10000 --seed 1 [--jobs 2] [--subprocess-share 0.1]

Case N of seed S is generated from ``random.Random(f"S:N")``, so ``--seed S --only N`` runs it
again. Prints each failure class (oracle, kind, count) with a reduced reproducer, a shell command
line; exits 1 when anything failed. ``--odd`` (on by default) adds pathological inputs: wild
ranges, long stdin, larger CSVs; every in-process case runs under a ``--timeout`` alarm.
"""

from __future__ import annotations

import argparse
import multiprocessing
import random
import signal
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tests import fuzzing


def make_spec(seed: int, index: int, odd: bool, kind: str | None) -> fuzzing.Spec:
    source = fuzzing.RandomSource(random.Random(f"{seed}:{index}"))
    return fuzzing.gen_case(source, kind, odd=odd and random.Random(f"{seed}:{index}:odd").random() < 0.3)


def _alarm(signum: int, frame: Any) -> None:
    raise fuzzing.CaseTimeout()


def _init_worker() -> None:
    signal.signal(signal.SIGALRM, _alarm)


def run_one(task: tuple[int, int, bool, str | None, float, float]) -> tuple[int, Any, Any, list[Any]]:
    seed, index, odd, kind, share, timeout = task
    spec = make_spec(seed, index, odd, kind)
    use_subprocess = random.Random(f"{seed}:{index}:mode").random() < share
    endless = isinstance(spec, fuzzing.ValuesSpec) and spec.huge
    if endless or (isinstance(spec, fuzzing.CsvSpec) and spec.chunk):
        use_subprocess = False  # endless output, or a chunk size only an in-process run can set
    try:
        if not use_subprocess:
            signal.alarm(int(timeout))
        outcome, failures = fuzzing.run_case(spec, use_subprocess, timeout)
    except fuzzing.CaseTimeout:
        outcome = fuzzing.Outcome(None, b"", "", timeout, timed_out=True)
        failures = [fuzzing.Failure("timeout", "no end", f"after {timeout:.0f} s")]
    except Exception as error:  # the fuzzer's own bug: reported with the case, not hidden
        outcome = fuzzing.Outcome(None, b"", "")
        failures = [fuzzing.Failure("fuzzer-error", f"{type(error).__name__} while running the case",
                                    repr(error)[:300])]
    finally:
        signal.alarm(0)
    outcome.out = b""  # not needed any more: keep the pipe between processes light
    return index, spec, outcome, failures


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--count", type=int, default=1000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--subprocess-share", type=float, default=0.1)
    parser.add_argument("--timeout", type=float, default=20.0, help="seconds per case")
    parser.add_argument("--kind", choices=["values", "csv", "other"], help="only this kind of case")
    parser.add_argument("--no-odd", dest="odd", action="store_false", help="no pathological inputs")
    parser.add_argument("--only", type=int, action="append", help="run only case N (repeatable)")
    parser.add_argument("--reduce-budget", type=int, default=150, help="runs to reduce each class")
    parser.add_argument("--reduce-seconds", type=float, default=15.0, help="time to reduce each class")
    parser.add_argument("--verbose", action="store_true", help="print every failing case")
    args = parser.parse_args()

    indices = args.only or list(range(args.count))
    tasks = [(args.seed, i, args.odd, args.kind, args.subprocess_share, args.timeout) for i in indices]
    report = fuzzing.Report()
    start = time.monotonic()
    context = multiprocessing.get_context("fork")
    with context.Pool(args.jobs, initializer=_init_worker) as pool:
        for done, (index, spec, outcome, failures) in enumerate(pool.imap_unordered(run_one, tasks, 8), 1):
            report.add(spec, outcome, failures, f"--seed {args.seed} --only {index}")
            if args.verbose and failures:
                keys = [f.key for f in failures]
                print(f"case {index}: {keys}\n  $ {fuzzing.reproducer(spec)}", flush=True)
            if done % 500 == 0:
                print(f"... {done}/{len(tasks)} cases, {len(report.classes)} failure classes, "
                      f"{time.monotonic() - start:.0f} s", file=sys.stderr, flush=True)
    ran = time.monotonic() - start
    _init_worker()
    for fc in report.classes.values():  # reduce each class's smallest case, in-process
        fc.spec = fuzzing.reduce(fc.spec, (fc.oracle, fc.key), args.reduce_budget, args.reduce_seconds,
                                 run_timeout=args.timeout)
        signal.setitimer(signal.ITIMER_REAL, args.timeout)
        try:
            _, failures = fuzzing.run_case(fc.spec)
            fc.detail = next((f.detail for f in failures if f.klass == (fc.oracle, fc.key)), fc.detail)
        except fuzzing.CaseTimeout:
            pass
        finally:
            signal.setitimer(signal.ITIMER_REAL, 0)
    print(f"seed {args.seed}: {report.render()}")
    print(f"\n{ran:.0f} s for the cases, {time.monotonic() - start - ran:.0f} s to reduce")
    return 1 if report.classes else 0


if __name__ == "__main__":
    sys.exit(main())
