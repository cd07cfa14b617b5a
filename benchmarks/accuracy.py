"""Accuracy: the largest error in ULP of every activation and derivative, per dtype.

    python benchmarks/accuracy.py [--extra 20500] [--write docs/accuracy.md]

Sweeps the test suite's hard-point set (tests/points.py: dense grid, subnormals, ±1e-300..±1e300,
the float neighbours of every kink and branch switch, the derivatives' interior zeros at
1e-15..0.3, the GELU tail, ±709.78, ±745, ±inf, NaN) plus ``--extra`` random points (half
uniform on [-40, 40], half of log-uniform magnitude over the dtype's range, both signs) against the
independent mpmath reference (tests/reference.py), computed on every core. When PyTorch or JAX
are installed, their float64 errors on the same points are shown beside ours. Kink points are left out (their
convention is tested in tests/test_kinks.py).
"""

from __future__ import annotations

import argparse
import functools
import importlib
import multiprocessing
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import actcli
from tests import reference
from tests.points import hard_points

DTYPES = {"float64": np.float64, "float32": np.float32, "float16": np.float16}
Fn = Callable[[np.ndarray], np.ndarray]


def torch_functions(name: str) -> tuple[Fn, Fn] | None:
    """PyTorch's value and autograd derivative for ``name``, if torch is installed and has it."""
    try:
        torch = importlib.import_module("torch")
    except ImportError:
        return None
    functional = torch.nn.functional
    table: dict[str, Callable[[Any], Any]] = {
        "relu": functional.relu, "relu6": functional.relu6, "leaky_relu": functional.leaky_relu,
        "elu": functional.elu, "selu": functional.selu, "celu": functional.celu,
        "softplus": lambda t: functional.softplus(t, threshold=1e308),
        "sigmoid": torch.sigmoid, "log_sigmoid": functional.logsigmoid,
        "hard_sigmoid": functional.hardsigmoid, "tanh": torch.tanh, "softsign": functional.softsign,
        "tanhshrink": functional.tanhshrink, "hardshrink": functional.hardshrink,
        "softshrink": functional.softshrink, "gelu": functional.gelu, "silu": functional.silu,
        "gelu_tanh": lambda t: functional.gelu(t, approximate="tanh"),
        "hardswish": functional.hardswish, "mish": functional.mish, "hardtanh": functional.hardtanh,
        "exponential": torch.exp, "identity": lambda t: t * 1.0,
    }
    if name not in table:
        return None
    fn = table[name]

    def value(x: np.ndarray) -> np.ndarray:
        return fn(torch.from_numpy(x)).numpy()  # type: ignore[no-any-return]

    def grad(x: np.ndarray) -> np.ndarray:
        t = torch.from_numpy(x.copy()).requires_grad_(True)
        fn(t).sum().backward()
        return t.grad.numpy()  # type: ignore[no-any-return]

    return value, grad


def jax_functions(name: str) -> tuple[Fn, Fn] | None:
    """JAX's value and derivative for ``name``, if jax is installed and has it."""
    try:
        jax = importlib.import_module("jax")
    except ImportError:
        return None
    jax.config.update("jax_enable_x64", True)
    nn, jnp = jax.nn, jax.numpy
    spelled = {"log_sigmoid": "log_sigmoid", "hardswish": "hard_swish", "softsign": "soft_sign",
               "hardtanh": "hard_tanh", "gelu": "gelu", "tanh": "tanh"}
    table: dict[str, Callable[[Any], Any]] = {
        n: getattr(nn, spelled.get(n, n)) for n in actcli.names()
        if hasattr(nn, spelled.get(n, n)) and n not in ("softmax", "log_softmax", "gelu")
    }
    table["gelu"] = lambda t: nn.gelu(t, approximate=False)
    table["gelu_tanh"] = lambda t: nn.gelu(t, approximate=True)
    table["exponential"] = jnp.exp
    if name not in table:
        return None
    fn = table[name]
    grad_fn = jax.vmap(jax.grad(fn))
    return (lambda x: np.asarray(fn(jnp.asarray(x)))), (lambda x: np.asarray(grad_fn(jnp.asarray(x))))


def worst_ulp(fn: Fn, x: np.ndarray, exact: list[Any], dtype: type[np.floating]) -> tuple[float, bool]:
    """The largest error in ULP over the finite inputs, and whether every ±inf/NaN input gives
    the limit correctly rounded (or NaN for NaN)."""
    got = fn(x)
    worst, special_ok = 0.0, True
    for xi, g, e in zip(x.tolist(), got.tolist(), exact, strict=True):
        if e is None:
            continue
        err = reference.ulp_error(g, e, dtype)
        if np.isfinite(xi):
            worst = max(worst, err)
        elif err > 0.5:  # correctly rounded limit (0.01 itself is not a float32)
            special_ok = False
    return worst, special_ok


def points(name: str, params: dict[str, Any], dtype: type[np.floating], extra: int) -> np.ndarray:
    """The hard points and ``extra`` random ones, as ``dtype``: half uniform on [-40, 40], half of
    log-uniform magnitude over the dtype's whole range, subnormals included."""
    rng = np.random.default_rng(0)
    half = extra // 2
    info = np.finfo(dtype)
    signs = rng.choice([-1.0, 1.0], extra - half)
    exponents = rng.uniform(np.log10(float(info.smallest_subnormal)), np.log10(float(info.max)), extra - half)
    random = np.concatenate([rng.uniform(-40.0, 40.0, half), signs * 10.0**exponents])
    with np.errstate(over="ignore"):
        random = random.astype(dtype)
    return np.concatenate([hard_points(name, params, dtype), random[np.isfinite(random) & (random != 0)]])


def _exact_chunk(job: tuple[str, str, list[float], dict[str, Any]]) -> list[Any]:
    name, kind, xs, params = job
    of = reference.value if kind == "value" else reference.derivative
    out: list[Any] = []
    for xi in xs:
        try:
            out.append(of(name, xi, **params))
        except ValueError:  # a kink
            out.append(None)
    return out


def exact_values(pool: Any, name: str, kind: str, x: np.ndarray, params: dict[str, Any]) -> list[Any]:
    xs = x.tolist()
    jobs = [(name, kind, xs[i:i + 500], params) for i in range(0, len(xs), 500)]
    return [e for chunk in pool.map(_exact_chunk, jobs) for e in chunk]


def fmt(result: tuple[float, bool]) -> str:
    err, special_ok = result
    text = f"{err:.2f}" if err < 100 else f"{err:.1e}"
    return text if special_ok else text + " ✗"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--write", type=Path, help="also write the table as Markdown to this file")
    parser.add_argument("--extra", type=int, default=20_500, help="random points added (default 20500)")
    args = parser.parse_args()
    with multiprocessing.Pool() as pool:
        report(pool, args.extra, args.write)


def report(pool: Any, extra: int, write: Path | None) -> None:
    peers = {"torch": torch_functions, "jax": jax_functions}
    present = [p for p, f in peers.items() if f("relu") is not None]
    versions = [f"{p} {importlib.import_module(p).__version__}" for p in present]
    header = ["activation", "f64 value", "f64 grad", "f32 value", "f32 grad", "f16 value", "f16 grad"]
    header += [f"{p} f64 {k}" for p in present for k in ("value", "grad")]
    rows = []
    cases = [(name, {}) for name in reference.NAMES] + [("gelu", {"approximate": "tanh"})]
    for name, params in cases:
        act = actcli.get(name)
        row = [name + "".join(f" {k}={v}" for k, v in params.items())]
        exact64: dict[str, list[Any]] = {}
        for dtype_name, dtype in DTYPES.items():
            x = points(name, params, dtype, extra)
            for kind in ("value", "grad"):
                exact = exact_values(pool, name, kind, x, params)
                if dtype_name == "float64":
                    exact64[kind] = exact
                fn = functools.partial(act if kind == "value" else act.grad, **params)
                row.append(fmt(worst_ulp(fn, x, exact, dtype)))
        x64 = points(name, params, np.float64, extra)
        for peer in present:
            fns = peers[peer](name + ("_tanh" if params else ""))
            for i, kind in enumerate(("value", "grad")):
                row.append(fmt(worst_ulp(fns[i], x64, exact64[kind], np.float64)) if fns else "–")
        rows.append(row)
        print(" ".join(f"{c:>11}" for c in row), flush=True)
    table = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    table += ["| " + " | ".join(r) + " |" for r in rows]
    counts = {d: len(points("gelu", {}, t, extra)) for d, t in DTYPES.items()}
    print("points per function: " + ", ".join(f"{d} {n}" for d, n in counts.items()))
    if write:
        write.write_text(
            "# Accuracy\n\nLargest error in ULP over the hard-point set of `tests/points.py` plus "
            f"{extra} random points (about {counts['float64']} float64, {counts['float32']} float32 and "
            f"{counts['float16']} float16 inputs per function; `benchmarks/accuracy.py` says which), against "
            "the mpmath reference of `tests/reference.py`, at default parameters, kinks left out "
            "(`tests/test_kinks.py` checks them). Each cell is the worst error over finite inputs; "
            "✗ marks a library that is wrong at ±inf or NaN inputs (NaN where a limit exists, or "
            "a number for NaN in); – where it lacks the function. `inf` means a non-finite result "
            "for a finite input. The bar: 1 ULP in float64, 0.5 (correctly rounded) in float32 "
            "and float16. Generated by `python benchmarks/accuracy.py --write "
            "docs/accuracy.md`" + (f" with {', '.join(v for v in versions)} beside it" if versions
            else "") + ".\n\n" + "\n".join(table) + "\n"
        )


if __name__ == "__main__":
    main()
