"""The 1 ULP bound rests on no long double and no libm: the same bits with both taken away.

Where ``np.longdouble`` is plain double (Windows, macOS on Apple silicon) and wherever the
platform's exp, log or tanh differ, the kernels must give the same results. They are built from
+, -, *, /, sqrt and exact operations only (actcli/extended.py), which IEEE 754 rounds the same
everywhere. This test is the switch that forces plain float64 arithmetic: it evaluates every
activation and derivative, float64 and float32, in a subprocess where NumPy's long double types
are float64 and its transcendental functions raise, and asserts the results are bit for bit
those of this process.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import numpy as np

import actcli
from tests.points import hard_points

FORBIDDEN = ("exp", "exp2", "expm1", "log", "log2", "log10", "log1p", "logaddexp", "logaddexp2",
             "tanh", "sinh", "cosh", "arctanh", "power", "float_power", "hypot")

SUBPROCESS = f"""
import sys
import numpy as np

def forbidden(*args, **kwargs):
    raise AssertionError("a kernel called a libm function")

for name in {FORBIDDEN!r}:
    setattr(np, name, forbidden)
for name in ("longdouble", "float96", "float128"):  # plain double, as on Windows and macOS/arm64
    setattr(np, name, np.float64)

from tests.test_portable import results
np.savez(sys.argv[1], **results())
"""


def results() -> dict[str, np.ndarray]:
    """Every activation and derivative over its hard points, in float64 and float32."""
    out: dict[str, np.ndarray] = {}
    for name in actcli.names():
        act = actcli.get(name)
        for dtype in (np.float64, np.float32):
            x = hard_points(name, {}, dtype)
            if act.vector:
                x = x[np.isfinite(x)].reshape(1, -1)
            out[f"{name}-{dtype.__name__}"] = act(x)
            out[f"{name}'-{dtype.__name__}"] = act.grad(x)
    return out


def test_same_bits_without_long_double_or_libm(tmp_path: Path) -> None:
    saved = tmp_path / "plain.npz"
    root = Path(__file__).resolve().parent.parent
    done = subprocess.run([sys.executable, "-c", SUBPROCESS, str(saved)], cwd=root,
                          capture_output=True, text=True, timeout=300, check=False)
    assert done.returncode == 0, done.stderr[-2000:]
    plain = np.load(saved)
    here = results()
    assert sorted(plain.files) == sorted(here)
    for key, expected in here.items():
        assert plain[key].dtype == expected.dtype, key
        # Bitwise: NaN == NaN and -0.0 != +0.0 here.
        assert plain[key].tobytes() == expected.tobytes(), key
