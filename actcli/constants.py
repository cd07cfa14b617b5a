"""Constants the activations are defined by, as their sources print them: at the bottom of the
package, so that the numerics (kernels, exact, the core's generated tables) read them without
importing the registry above them."""

from __future__ import annotations

# SELU's constants as printed in the paper (arXiv:1706.02515) and used by PyTorch, JAX and Keras.
SELU_SCALE_DIGITS = "1.0507009873554804934193349852946"
SELU_ALPHA_DIGITS = "1.6732632423543772848170429916717"
