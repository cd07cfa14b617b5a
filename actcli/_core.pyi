# The compiled core (core/module.c): its Python face, for type checkers.
instruction_set: str

def narrow(name: str, x: object, y: object, doubtful: object, parameters: tuple[float, ...],
           format: str, /) -> int:
    """Fill y with the kernel at x (float64 buffers) and doubtful (uint8) with 1 where the rounding
    test could not decide; returns how many."""

def kernels() -> list[tuple[str, int]]:
    """(name, error bound in units of 2**-53) for every kernel, in the table's order."""
