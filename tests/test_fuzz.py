"""The fuzzer of tests/fuzzing.py in CI: a few hundred generated invocations of the command line
and of CSV streams, checked by its oracles (exit codes, no traceback or warning, one-line errors,
the library's values bit for bit, the csv module's rows, valid JSON), plus about twenty runs in
real processes with pipes, a closed pipe and Ctrl-C.

Hypothesis generates the cases, derandomized, so every run checks the same ones. Each test runs
all its cases and then reports every failure class at once, each with a reduced reproducer (a
shell command line), instead of stopping at the first. ``ACTCLI_FUZZ_SCALE=10`` runs ten times as
many; ``python scripts/fuzz.py --count 10000`` runs thousands in parallel.
"""

from __future__ import annotations

import os
from collections.abc import Callable

import pytest
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from tests import fuzzing

SCALE = float(os.environ.get("ACTCLI_FUZZ_SCALE", "1"))


def collect(examples: int, make: Callable[[fuzzing.Source], fuzzing.Spec], use_subprocess: bool = False
            ) -> fuzzing.Report:
    """Run ``examples`` generated cases; every failure goes into the report, none stops the run."""
    report = fuzzing.Report()

    @settings(max_examples=max(1, int(examples * SCALE)), derandomize=True, deadline=None, database=None,
              phases=[Phase.explicit, Phase.generate], suppress_health_check=list(HealthCheck))
    @given(st.data())
    def case(data: st.DataObject) -> None:
        spec = make(fuzzing.DrawSource(data.draw))
        outcome, failures = fuzzing.run_case(spec, use_subprocess)
        report.add(spec, outcome, failures)

    case()
    return report


def assert_clean(report: fuzzing.Report) -> None:
    if report.classes:
        report.reduce_all(seconds=4, total=25)
        pytest.fail(report.render(), pytrace=False)


def test_values_mode() -> None:
    """apply/grad/table over numbers, ranges, files and stdin, in every format."""
    assert_clean(collect(250, lambda src: fuzzing.gen_case(src, "values")))


def test_csv_mode() -> None:
    """CSV streams: awkward headers, quoting, line ends, bad cells, ragged rows, --on-error."""
    assert_clean(collect(300, lambda src: fuzzing.gen_case(src, "csv")))


def test_other_commands() -> None:
    """info, list and plot with small sizes: exit codes, one-line errors, JSON."""
    assert_clean(collect(50, lambda src: fuzzing.gen_case(src, "other")))


def test_real_processes() -> None:
    """The same oracles over ``python -m actcli`` with real pipes."""

    def make(src: fuzzing.Source) -> fuzzing.Spec:
        spec = fuzzing.gen_case(src, src.choice(["values", "csv", "csv", "other"]))
        if isinstance(spec, fuzzing.CsvSpec):
            spec.chunk = None  # only an in-process run can change the chunk size
        return spec

    assert_clean(collect(14, make, use_subprocess=True))


@pytest.mark.parametrize("seed", range(3))
def test_closed_pipe_ends_quietly(seed: int) -> None:
    import random

    args, stdin = fuzzing.gen_stream_case(fuzzing.RandomSource(random.Random(seed)))
    failures = fuzzing.check_closed_pipe(args, stdin)
    assert not failures, f"{failures}\n$ {fuzzing._printf(stdin[:40])}... | actcli {' '.join(args)} | head -1"


@pytest.mark.parametrize("seed", range(3))
def test_interrupt_exits_130(seed: int) -> None:
    import random

    args, stdin = fuzzing.gen_interrupt_case(fuzzing.RandomSource(random.Random(seed)))
    failures = fuzzing.check_interrupt(args, stdin)
    assert not failures, f"{failures}: actcli {' '.join(args)}, Ctrl-C while stdin is open"
