"""The seed texts' numbers (../shared/seeds): the tutorial's ReLU/Leaky ReLU and the ELU glossary."""

from __future__ import annotations

import numpy as np

import actcli

TUTORIAL_INPUTS = [1.0, -10.0, 0.0, 15.0, -20.0]


def test_tutorial_relu_lines() -> None:
    relu = actcli.get("relu")
    lines = ["Applying Relu on (%.1f) gives %.1f" % (x, relu(x)) for x in TUTORIAL_INPUTS]
    assert lines == [
        "Applying Relu on (1.0) gives 1.0",
        "Applying Relu on (-10.0) gives 0.0",
        "Applying Relu on (0.0) gives 0.0",
        "Applying Relu on (15.0) gives 15.0",
        "Applying Relu on (-20.0) gives 0.0",
    ]


def test_tutorial_leaky_relu_lines() -> None:
    leaky = actcli.get("leaky_relu")
    lines = ["Applying Leaky Relu on (%.1f) gives %.1f" % (x, leaky(x)) for x in TUTORIAL_INPUTS]
    assert lines == [
        "Applying Leaky Relu on (1.0) gives 1.0",
        "Applying Leaky Relu on (-10.0) gives -0.1",
        "Applying Leaky Relu on (0.0) gives 0.0",
        "Applying Leaky Relu on (15.0) gives 15.0",
        "Applying Leaky Relu on (-20.0) gives -0.2",
    ]
    assert leaky(-10.0) == -10.0 * 0.01


def test_tutorial_gradients_are_the_right_hand_convention() -> None:
    """f'(x) = 1 for x >= 0, 0 (leaky: 0.01) for x < 0."""
    x = np.array(TUTORIAL_INPUTS)
    assert actcli.get("relu").grad(x, kink="right").tolist() == [1, 0, 1, 1, 0]
    assert actcli.get("leaky_relu").grad(x, kink="right").tolist() == [1, 0.01, 1, 1, 0.01]


def seed_elu(x: np.ndarray, alpha: float = 1.0) -> np.ndarray:
    """Listing 1 of the glossary, as printed."""
    return np.where(x > 0.0, x, alpha * (np.exp(x) - 1))


def seed_der_elu(x: np.ndarray, alpha: float = 1.0) -> np.ndarray:
    """Listing 2 of the glossary: 1 for x > 0, f(x) + alpha for x <= 0."""
    return np.where(x > 0.0, 1.0, seed_elu(x, alpha) + alpha)


def test_elu_matches_the_glossary_away_from_zero() -> None:
    # Compared where the glossary's own formulas are well-conditioned: exp(x) - 1 loses digits
    # near 0, and f(x) + alpha cancels for very negative x (e^-30 recovered from 1 - 1).
    x = np.concatenate([np.linspace(-3, -0.5, 200), np.linspace(0.5, 30, 200)])
    elu = actcli.get("elu")
    for alpha in (1.0, 0.5, 2.0):
        np.testing.assert_allclose(elu(x, alpha=alpha), seed_elu(x, alpha), rtol=1e-15, atol=0)
        # f(x) + alpha itself cancels ~18-fold at x = -2.9, hence the looser tolerance.
        np.testing.assert_allclose(elu.grad(x, alpha=alpha), seed_der_elu(x, alpha), rtol=1e-14, atol=0)


def test_elu_at_zero_counts_on_the_left_as_the_glossary_says() -> None:
    assert actcli.get("elu").grad(0.0, alpha=0.5) == 0.5  # f(0) + alpha


def test_elu_near_zero_is_exact_where_the_glossary_loses_digits() -> None:
    # e^x - 1 at x = -1e-10 keeps ~6 digits in floats; expm1 keeps them all. The expected value
    # is e^-1e-10 - 1 correctly rounded (mpmath at 50 digits).
    got = float(actcli.get("elu")(-1e-10))
    assert got == -9.999999999500001e-11
    assert abs(seed_elu(np.array([-1e-10]))[0] - got) > 1e-18
