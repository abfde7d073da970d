"""How narrow a hidden layer may be, shared by the history rule (widths from the caller's
metadata) and the bundle's model audit (widths from the saved model)."""

from __future__ import annotations

# A hidden layer narrower than this can't carry what a classifier needs.
MIN_HIDDEN_UNITS = 2
# Nor one narrower than this share of the output's degrees of freedom (K - 1 for K classes,
# whose softmax ignores a common shift; the number of outputs otherwise): the outputs must
# then be read off a subspace of under half their dimensions, so most classes can be told
# apart only by fine angles and magnitudes, which trains slowly or not at all. Halving is as
# far as the usual tapering towards the output goes (a 64-unit head for 100 classes is fine).
MIN_WIDTH_SHARE = 0.5
# The width recommended in place of a bottleneck: at least this, and one unit per class.
RECOMMENDED_UNITS = 16


def width_floor(output_dimensions: int | None) -> float:
    """The narrowest hidden layer that is not a bottleneck for an output of these dimensions."""
    return max(float(MIN_HIDDEN_UNITS), MIN_WIDTH_SHARE * output_dimensions if output_dimensions else 0.0)
