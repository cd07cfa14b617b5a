"""Activation specs as written on the command line: ``elu``, ``elu:alpha=0.5``,
``hardtanh:min_val=-2:max_val=2``, several joined by commas for ``table``; and the result
columns computed from them."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from actcli.errors import UsageProblem
from actcli.registry import Activation, KinkConvention, ParamValue, get

if TYPE_CHECKING:
    from numpy.typing import NDArray


@dataclass(frozen=True)
class Spec:
    """An activation with validated parameters (all of them, defaults filled in)."""

    activation: Activation
    params: dict[str, ParamValue]

    @property
    def changed(self) -> dict[str, ParamValue]:
        """The parameters that differ from the defaults."""
        defaults = self.activation.params
        return {k: v for k, v in self.params.items() if v != defaults[k]}

    @property
    def label(self) -> str:
        """``elu`` or ``elu(alpha=0.5)``: the name with the parameters that differ from the defaults."""
        args = ", ".join(f"{k}={show_value(v)}" for k, v in self.changed.items())
        return f"{self.activation.name}({args})" if args else self.activation.name

    def header(self, derivative: bool, variable: str = "x") -> str:
        """A column header: ``elu(x)``, ``elu'(x)``, ``elu(score; alpha=0.5)``."""
        args = "; ".join(f"{k}={show_value(v)}" for k, v in self.changed.items())
        prime = "'" if derivative else ""
        return f"{self.activation.name}{prime}({variable}{'; ' + args if args else ''})"


def show_value(value: ParamValue) -> str:
    """A parameter value as the command line spells it (``none`` for no threshold)."""
    return "none" if value is None else str(value)


def parse_specs(text: str, options: dict[str, Any] | None = None) -> list[Spec]:
    """Parse ``ACT[:k=v...][,ACT...]``; ``options`` (from ``--alpha 0.5`` or ``-p alpha=0.5``)
    apply to a single activation only. Raises UsageProblem with a one-line message."""
    parts = [p for p in text.split(",") if p.strip()]
    if not parts:
        raise UsageProblem("no activation given (see 'actcli list')")
    options = options or {}
    if options and len(parts) > 1:
        names = ", ".join(f"--{k.replace('_', '-')}" for k in options)
        raise UsageProblem(
            f"{names} applies to a single activation; with several, write them inline "
            f"(e.g. elu:alpha=0.5)"
        )
    specs = [_parse_one(part, options) for part in parts]
    labels = [s.label for s in specs]
    twice = next((label for label in labels if labels.count(label) > 1), None)
    if twice is not None:
        raise UsageProblem(f"{twice} is given twice")
    return specs


def _parse_one(text: str, options: dict[str, Any]) -> Spec:
    name, *assignments = text.strip().split(":")
    try:
        activation = get(name)
    except LookupError as error:
        raise UsageProblem(str(error.args[0])) from None
    params: dict[str, Any] = {}
    for assignment in assignments:
        key, sep, value = assignment.partition("=")
        if not sep or not key.strip():
            raise UsageProblem(
                f"{activation.name}: cannot read parameter {assignment!r}; write NAME=VALUE, "
                f"e.g. {activation.name}:{next(iter(activation.params), 'alpha')}=0.5"
            )
        name = key.strip().replace("-", "_")
        if name in params:
            raise UsageProblem(f"{activation.name}: parameter {name!r} is given twice")
        params[name] = value.strip()
    twice = next((k for k in options if k in params), None)
    if twice is not None:
        raise UsageProblem(f"{activation.name}: parameter {twice!r} is given twice "
                           f"({activation.name}:{twice}={params[twice]} and --{twice.replace('_', '-')} "
                           f"{options[twice]})")
    params.update(options)
    try:
        bound = activation.bind(params)
    except ValueError as error:
        raise UsageProblem(str(error)) from None
    if activation.vector and bound.get("axis") not in (-1, 0):
        raise UsageProblem(f"{activation.name}: parameter 'axis' must be -1 or 0 here: the values "
                           f"of the command line form one vector (a CSV's rows: each its own)")
    return Spec(activation, bound)


@dataclass(frozen=True)
class Column:
    """One result column: an activation's values or derivatives."""

    spec: Spec
    derivative: bool

    @property
    def header(self) -> str:
        return self.spec.header(self.derivative)

    def evaluate(self, x: NDArray[Any], kink: KinkConvention = "pytorch", **extra: Any) -> NDArray[Any]:
        """The column's values at ``x``: the activation, or its derivative with ``kink``."""
        import numpy as np  # here, not at the top: this module serves --help and completion

        act, params = self.spec.activation, {**self.spec.params, **extra}
        result = act.grad(x, kink=kink, **params) if self.derivative else act(x, **params)
        return np.asarray(result)

    @property
    def display_name(self) -> str:
        """As the seed tutorial names it: ``Relu``, ``Leaky Relu``, ``Elu(alpha=0.5) Gradient``."""
        args = ", ".join(f"{k}={v}" for k, v in self.spec.changed.items())
        name = self.spec.activation.display_name + (f"({args})" if args else "")
        return name + (" Gradient" if self.derivative else "")
