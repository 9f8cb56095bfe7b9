"""gumbel_softmax: samples from the Gumbel-Softmax distribution, drawing noise as torch does."""
import warnings

from ._registry import FUNCTIONS


def gumbel_softmax(logits, tau=1, hard=False, eps=1e-10, dim=-1):
    """Samples from the Gumbel-Softmax distribution and optionally discretizes (straight-through)."""
    if eps != 1e-10:
        warnings.warn("`eps` parameter is deprecated and has no effect.", stacklevel=2)
    # Same draws as torch: -log of Exp(1) samples filling a fresh tensor shaped like logits.
    gumbels = -FUNCTIONS["empty_like"](logits).exponential_().log()
    y_soft = ((logits + gumbels) / tau).softmax(dim)
    if not hard:
        return y_soft
    index = y_soft.max(dim, keepdim=True)[1]
    y_hard = FUNCTIONS["zeros_like"](logits).scatter_(dim, index, 1.0)
    return y_hard - y_soft.detach() + y_soft
