"""``actcli explain``: the working, for every activation, with the numbers of apply and grad."""

from __future__ import annotations

import json
import math
import re
from typing import Any

import numpy as np
import pytest
from rich.cells import cell_len

import actcli
from actcli import explain
from actcli.formats import FORMATS
from actcli.registry import ACTIVATIONS, SELU_ALPHA, SELU_SCALE
from actcli.spec import parse_specs

from .conftest import Run
from .terminal import in_terminal, terminal_env

POINTS = [-40.0, -3.0, -1.0, -0.5, -1e-10, -0.0, 0.0, 1e-10, 0.5, 1.0, 3.0, 6.0, 40.0,
          -math.inf, math.inf, -1e308, 1e308, 5e-324, -5e-324, -745.0]  # the fuzzer found -1e308


def _bits(values: list[float]) -> bytes:
    return np.array(values, dtype=np.float64).tobytes()


@pytest.mark.parametrize("act", ACTIVATIONS, ids=lambda a: a.name)
def test_every_activation_is_explained_with_the_numbers_of_apply_and_grad(act: actcli.Activation) -> None:
    spec = parse_specs(act.name)[0]
    kinks = [k.at for k in act.kinks_for(spec.params)]
    points = [1.0, 2.0, 3.0] if act.vector else POINTS + kinks
    found = explain.explain(spec, points, FORMATS["float64"], "pytorch")
    assert _bits([e.value for e in found]) == _bits(list(act(np.array(points))))
    assert _bits([e.grad for e in found]) == _bits(list(act.grad(np.array(points))))
    for x, item in zip(points, found, strict=True):
        assert item.case.startswith(f"x = {explain.compact(x)}"), item.case
        assert item.steps[0].startswith("definition: f(x)")
        # the piece, the result and the derivative, each on a line of its own
        assert any(s.startswith(f"f({explain.compact(x)}) = ") for s in item.steps), item.steps
        assert any("f'(" in s for s in item.steps[2:]), item.steps


# The registry's formula text as Python: its operators, and SELU's constants.
FORMULA_TEXT = {"·": "*", "−": "-", "²": "**2", "λ": repr(SELU_SCALE), "α": repr(SELU_ALPHA)}
CHECKED = [a for a in ACTIVATIONS if any(not p.terms for p in a.pieces) and not a.vector]


@pytest.mark.parametrize("act", CHECKED, ids=lambda a: a.name)
def test_the_piece_named_is_the_one_the_value_comes_from(act: actcli.Activation) -> None:
    """At points inside each piece, the worked formula of the piece explain names, with the
    numbers put in and evaluated in plain float64 arithmetic, gives the library's value (to
    rounding): a wrong condition or a piece in the wrong order fails. Pieces whose formula needs
    intermediate terms (eˣ, Φ) are left to the mpmath accuracy tests."""
    # PyTorch's defaults where they differ: softplus's x piece needs its threshold of 20
    pytorch = act.other_defaults.get("pytorch", {})
    spec = parse_specs(act.name + "".join(f":{k}={v}" for k, v in pytorch.items()))[0]
    checked = 0
    for x in (-5.0, -2.0, -0.25, 0.25, 2.0, 5.0, 30.0):
        piece = explain._piece(act, x, spec.params)
        if piece.terms:
            continue
        worked = piece.worked.format(x=f"({x!r})", **{k: repr(v) for k, v in spec.params.items()})
        for symbol, python in FORMULA_TEXT.items():
            worked = worked.replace(symbol, python)
        expected = eval(worked, {"__builtins__": {}})  # our own registry's text
        assert math.isclose(act(x), expected, rel_tol=1e-14, abs_tol=1e-300), (x, piece.when, worked)
        checked += 1
    assert checked, "no point on a piece without terms"


def test_elu_at_minus_one_shows_the_branch_e_to_the_minus_one_and_the_result(run: Run) -> None:
    result = run("explain", "elu", "-1", "--format", "plain")
    assert result.code == 0
    lines = [line.strip() for line in result.out.splitlines()]
    assert lines[0] == "elu at x = -1"
    assert "x = -1 ≤ 0, so f(x) = α·(eˣ − 1)" in lines
    assert "eˣ = e^(-1) = 0.36787944117144233" in lines  # math.exp(-1), correctly rounded
    assert "eˣ − 1 = e^(-1) − 1 = -0.6321205588285577" in lines  # expm1, its own step
    assert "f(-1) = 1·(-0.6321205588285577) = -0.6321205588285577" in lines
    assert "f'(x) = α·eˣ here, so f'(-1) = 0.36787944117144233" in lines


# A step "name = expression = value" whose expression is arithmetic on numbers and functions.
ARITHMETIC = re.compile(r"(?:[\d.e+\-−·/()²³√| λα]|e\^|log|tanh)+")
NUMBER_TEXT = re.compile(r"(?<![\w.])-?(?:\d+\.?\d*|\.\d+)(?:e[+-]?\d+)?")


def _evaluate(expression: str) -> Any:
    """The expression as a reader computes it from the numbers shown (each read as the decimal
    it is), exactly: mpmath at 3,500 bits, where 1 + 1e-305 is exact."""
    import mpmath

    code = expression.replace("·", "*").replace("−", "-").replace("²", "**2").replace("³", "**3")
    code = re.sub(r"\|([^|]+)\|", r"abs(\1)", code).replace("√(", "sqrt(").replace("e^(", "exp(")
    code = NUMBER_TEXT.sub(lambda m: f"mpf('{m.group(0)}')", code)
    code = code.replace("λ", f"mpf({SELU_SCALE!r})").replace("α", f"mpf({SELU_ALPHA!r})")
    with mpmath.workprec(3500):
        names = {"mpf": mpmath.mpf, "sqrt": mpmath.sqrt, "exp": mpmath.exp, "log": mpmath.log,
                 "tanh": mpmath.tanh, "abs": abs}
        return eval(code, {"__builtins__": {}}, names)  # the test's own text, no builtins


def _ulps_apart(redone: Any, shown: str) -> float:
    """How far the redone value is from the one shown: in ULPs of the double shown, or beyond the
    doubles' range (e^100000) in units of 2**-52 relative to it."""
    import mpmath

    value = float(shown)
    if math.isinf(value):  # the double result of a value beyond the doubles (e^100000 = inf)
        return 0.0 if float(redone) == value else math.inf
    if value != 0:
        return abs(float(redone) - value) / math.ulp(value)
    with mpmath.workprec(3500):
        exact = mpmath.mpf(shown)
        return float(abs(redone - exact) / abs(exact) * 2**52) if exact else float(abs(redone))


@pytest.mark.parametrize("name", [n for n in actcli.names() if not actcli.get(n).vector])
def test_every_step_adds_up_from_the_numbers_it_shows(name: str) -> None:
    """Redo each shown step (a quantity, or the result) from its shown operands: it must give the
    value shown, within 4 ULPs (the operands are shown to the last digit of their double, so a
    step that cancels, as eˣ − 1 from the eˣ shown, would miss by far more)."""
    spec = parse_specs(name, {})[0]
    xs = [-1e-10, 1e-10, -1e-5, 1e-3, -0.7, 0.3, 0.999, 2.5, -3.0, 5.0, -20.0, 30.0, -40.0, 1e5, -700.0]
    checked = 0
    for item in explain.explain(spec, xs, FORMATS["float64"], "pytorch"):
        for step in item.steps:
            parts = step.split(" = ")
            if len(parts) < 3 or not ARITHMETIC.fullmatch(parts[-2]) or not re.search(r"\d", parts[-2]):
                continue
            redone = _evaluate(parts[-2])
            checked += 1
            assert _ulps_apart(redone, parts[-1]) <= 4, f"{step}: the operands give {redone}"
    if name in ("elu", "selu", "celu", "squareplus", "tanhshrink", "softplus", "sigmoid", "gelu", "mish"):
        assert checked, "no step was redone"  # the test's own check: these show their working


def test_relu_at_zero_explains_the_kink_and_the_conventions(run: Run) -> None:
    lines = [line.strip() for line in run("explain", "relu", "0").out.splitlines()]
    assert any(line.startswith("x = 0 is a kink: the slope is 0 on the left and 1 on the right")
               for line in lines)
    assert "left: 0, right: 1, mean: 0.5, PyTorch and JAX: 0" in lines
    assert "the tutorial's f'(x) = 1 for x ≥ 0 gives 1: the right derivative" in lines
    assert "--kink pytorch picks f'(0) = 0.0" in lines
    right = [line.strip() for line in run("explain", "relu", "0", "--kink", "right").out.splitlines()]
    assert "--kink right picks f'(0) = 1.0" in right


def test_the_glossary_convention_for_elu(run: Run) -> None:
    out = run("explain", "elu:alpha=0.5", "0").out
    assert "the glossary's f'(x) = f(x) + α for x ≤ 0 gives 0.5: the left derivative" in out


def test_relu_at_minus_ten_carries_the_dying_relu_note(run: Run) -> None:
    out = run("explain", "relu", "-10").out
    assert "note: f'(x) = 0 for x < 0" in out and "dying-ReLU" in out
    assert "dying-ReLU" not in run("explain", "leaky_relu", "-10").out  # its slope answers it


def test_saturation_rounding_and_cancellation_notes(run: Run) -> None:
    sigmoid = run("explain", "sigmoid", "40").out
    assert "note: saturation: f'(x) = 4.248354255291589e-18" in sigmoid
    assert "note: f(40) rounds to 1.0 in float64; the exact value is 1 − 4.248354255291589e-18" in sigmoid
    assert "textbook" not in run("explain", "elu", "1e-10").out  # x > 0: the formula is x itself
    near_zero = run("explain", "elu", "-1e-10").out  # x ≤ 0: alpha * (eˣ - 1) cancels
    assert ("the textbook formula np.where(x > 0.0, x, alpha * (np.exp(x) - 1)) gives "
            "-1.000000082740371e-10 here: only 7 correct digits of -9.999999999500001e-11") in near_zero
    assert run("explain", "elu", "-1").out.count("note:") == 0


def test_json_records(run: Run) -> None:
    result = run("explain", "gelu", "-1", "0", "2", "-f", "json")
    records = json.loads(result.out)
    assert [set(r) for r in records] == [{"x", "value", "grad", "case", "steps", "notes"}] * 3
    values = json.loads(run("apply", "gelu", "-1", "0", "2", "-f", "json").out)
    grads = json.loads(run("grad", "gelu", "-1", "0", "2", "-f", "json").out)
    assert [r["value"] for r in records] == [v["gelu(x)"] for v in values]
    assert [r["grad"] for r in records] == [g["gelu'(x)"] for g in grads]
    nan = json.loads(run("explain", "relu", "nan", "-f", "json").out)
    assert nan[0]["value"] == "NaN" and nan[0]["case"] == "x = NaN"


def test_narrow_formats_round_the_input_and_the_result(run: Run) -> None:
    records = json.loads(run("explain", "gelu", "0.1", "--dtype", "bfloat16", "-f", "json").out)
    ml_dtypes = pytest.importorskip("ml_dtypes")
    x = np.array([0.1], dtype=ml_dtypes.bfloat16)
    assert records[0]["x"] == float(x[0])
    assert records[0]["value"] == float(actcli.get("gelu")(x)[0])
    assert any("correctly rounded to bfloat16" in s for s in records[0]["steps"])


def test_inputs_from_stdin_and_errors(run: Run) -> None:
    assert run("explain", "relu", stdin="1 -1\n").out.count(" at x = ") == 2
    assert run("explain", "relu").code == 2
    bad = run("explain", "relu", "abc")
    assert (bad.code, bad.out) == (1, "")
    assert "cannot read 'abc' as a number" in bad.err
    assert run("explain", "relu,elu", "1").code == 2


@pytest.mark.parametrize("columns", [60, 80, 120])
def test_in_a_terminal_every_line_fits(columns: int) -> None:
    screen = in_terminal("explain", "gelu", "-40", columns=columns, lines=40, env=terminal_env())
    assert screen.status == 0
    assert "gelu at x = -40" in screen.text and "note:" in screen.text
    assert max(cell_len(line) for line in screen.lines) <= columns


def test_a_textbook_formula_is_compared_only_with_the_function_it_computes(run: Run) -> None:
    """GELU's erf formula against its tanh approximation would be a difference of definitions,
    not lost digits."""
    assert "textbook" not in run("explain", "gelu:approximate=tanh", "-1", "-5").out
    assert "textbook formula 0.5 * x * (1 + math.erf" in run("explain", "gelu", "-5").out


@pytest.mark.parametrize(("args", "case", "result"), [
    (("hardtanh", "-5"), "x = -5 < -1, so f(x) = min_val", "f(-5) = -1"),
    (("hardtanh", "0.3"), "x = 0.3: -1 ≤ 0.3 ≤ 1, so f(x) = x", "f(0.3) = 0.3"),
    (("hardswish", "5"), "x = 5 ≥ 3, so f(x) = x", "f(5) = 5"),
    (("sparse_plus", "0.3"), "x = 0.3: −1 < 0.3 < 1, so f(x) = (x + 1)²/4", "f(0.3) = (0.3 + 1)²/4 = 0.4225"),
])
def test_the_pieces_show_their_numbers(run: Run, args: tuple[str, ...], case: str, result: str) -> None:
    lines = [line.strip() for line in run("explain", *args).out.splitlines()]
    assert case in lines and result in lines, lines
