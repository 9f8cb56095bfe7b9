"""Muon: momentum SGD for 2-D parameters whose update is orthogonalised by a Newton-Schulz iteration."""
import math

from .optimizer import Optimizer, check_range, new_like, run_closure, to_scalar
from .._tensor import Tensor
from ..autograd.grad_mode import no_grad

__all__ = ["Muon"]

_COEFFICIENTS = (3.4445, -4.7750, 2.0315)


def _orthogonalise(update, coefficients, steps, eps):
    """Newton-Schulz steps of the quintic X <- aX + (bA + cA^2)X with A = XX^T, in bfloat16 as torch runs
    them, on the wide orientation of ``update`` scaled to unit norm: close to the orthogonal factor."""
    if steps >= 100:
        raise ValueError("Number of steps must be less than 100 for computational efficiency")
    if update.dim() != 2:
        raise ValueError("Input tensor gradient must be a 2D matrix")
    if len(coefficients) != 3:
        raise ValueError("Coefficients must be a tuple of exactly 3 values")
    a, b, c = coefficients
    tall = update.shape[0] > update.shape[1]
    x = update.bfloat16()
    if tall:
        x = x.T
    x = x / x.norm().clamp(min=eps)
    for _ in range(steps):
        gram = x @ x.T
        x = x.addmm(gram.addmm(gram, gram, beta=b, alpha=c), x, beta=a)
    return x.T if tall else x


def _lr_ratio(adjust_lr_fn, shape):
    rows, cols = shape[:2]
    if adjust_lr_fn is None or adjust_lr_fn == "original":
        return math.sqrt(max(1, rows / cols))
    return 0.2 * math.sqrt(max(rows, cols))


class Muon(Optimizer):
    """Implements Muon: momentum (Nesterov by default) whose update is orthogonalised, for 2-D parameters,
    with decoupled weight decay and a learning rate scaled by the parameter's shape."""

    def __init__(self, params, lr=1e-3, weight_decay=0.1, momentum=0.95, nesterov=True,
                 ns_coefficients=_COEFFICIENTS, eps=1e-7, ns_steps=5, adjust_lr_fn=None):
        if isinstance(lr, Tensor) and lr.numel() != 1:
            raise ValueError("Tensor lr must be 1-element")
        check_range(0.0 <= lr, f"Learning rate should be >= 0 but is: {lr}")
        check_range(0.0 <= momentum, f"momentum should be >= 0 but is: {momentum}")
        check_range(0.0 <= weight_decay, f"weight decay should be >= 0 but is: {weight_decay}")
        check_range(adjust_lr_fn in (None, "original", "match_rms_adamw"),
                    f"Adjust learning rate function {adjust_lr_fn} is not supported")
        defaults = {"lr": lr, "weight_decay": weight_decay, "momentum": momentum, "nesterov": nesterov,
                    "ns_coefficients": ns_coefficients, "eps": eps, "ns_steps": ns_steps,
                    "adjust_lr_fn": adjust_lr_fn}
        super().__init__(params, defaults)
        for group in self.param_groups:
            for p in group["params"]:
                if p.ndim != 2:
                    raise ValueError(f"Muon only supports 2D parameters whereas we found a parameter with size: "
                                     f"{p.size()}")

    def step(self, closure=None):
        """Perform a single optimization step."""
        loss = run_closure(closure)
        with no_grad():
            for group in self.param_groups:
                self._step_group(group)
        return loss

    def _step_group(self, group):
        updates = []
        for p, g in self._params_with_grad(group):
            if p.is_complex():
                raise RuntimeError("Muon does not support complex parameters")
            state = self.state[p]
            if "momentum_buffer" not in state:
                state["momentum_buffer"] = new_like(g)
            updates.append((p, g, state["momentum_buffer"]))
        lr = to_scalar(group["lr"])
        momentum = group["momentum"]
        for p, g, buf in updates:
            if g.dim() != 2:
                raise ValueError("Param gradient must be a 2D matrix")
            buf.lerp_(g, 1 - momentum)
            update = g.lerp(buf, momentum) if group["nesterov"] else buf
            update = _orthogonalise(update, group["ns_coefficients"], group["ns_steps"], group["eps"])
            p.mul_(1 - lr * group["weight_decay"])
            p.add_(update, alpha=-lr * _lr_ratio(group["adjust_lr_fn"], p.shape))
