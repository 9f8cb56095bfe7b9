"""L-BFGS, with an optional strong-Wolfe line search."""
import numpy as np

from . import _functional as F
from .optimizer import Optimizer, check_lr, run_closure, to_scalar
from .._tensor import Tensor, bump
from ..autograd.grad_mode import no_grad

__all__ = ["LBFGS"]

# Scalars that torch keeps as 0-d tensors (dot products and what follows from them) are float32 numpy
# scalars here, so their arithmetic rounds as torch's does; they are stored back as 0-d tensors.
_TENSOR_KEYS = ("d", "t", "H_diag", "prev_flat_grad")
_LIST_KEYS = ("old_dirs", "old_stps", "ro", "al")


def _unwrap(v):
    if isinstance(v, Tensor):
        return v._data if v._data.ndim else v._data.dtype.type(v._data)
    if isinstance(v, list):
        return [_unwrap(x) for x in v]
    return v


def _wrap(v):
    if isinstance(v, np.generic):
        return Tensor._wrap(np.asarray(v))
    if isinstance(v, np.ndarray):
        return Tensor._wrap(v)
    if isinstance(v, list):
        return [_wrap(x) for x in v]
    return v


def _cubic_interpolate(x1, f1, g1, x2, f2, g2, bounds=None):
    """Minimiser of the cubic through two points with their slopes, clamped to ``bounds``."""
    lo, hi = bounds if bounds is not None else (min(x1, x2), max(x1, x2))
    d1 = g1 + g2 - 3 * (f1 - f2) / (x1 - x2)
    d2_square = d1 ** 2 - g1 * g2
    if d2_square < 0:
        return (lo + hi) / 2.0
    d2 = np.sqrt(d2_square)
    if x1 <= x2:
        pos = x2 - (x2 - x1) * ((g2 + d2 - d1) / (g2 - g1 + 2 * d2))
    else:
        pos = x1 - (x1 - x2) * ((g1 + d2 - d1) / (g1 - g2 + 2 * d2))
    return min(max(pos, lo), hi)


class _Bracket:
    """The two ends of a line-search interval: step, loss, gradient and directional derivative of each."""

    def __init__(self, points):
        self.points = points

    def column(self, k):
        return [pt[k] for pt in self.points]

    def order(self):
        f = self.column(1)
        return (0, 1) if f[0] <= f[-1] else (1, 0)


def _strong_wolfe(obj, x, t, d, f, g, gtd, c1=1e-4, c2=0.9, tolerance_change=1e-9, max_ls=25):
    """Line search for a step ``t`` along ``d`` satisfying the strong Wolfe conditions."""
    d_norm = abs(d).max()
    g = g.copy()
    f_new, g_new = obj(x, t, d)
    evals = 1
    gtd_new = g_new.dot(d)
    prev = (0, f, g, gtd)
    done = False
    it = 0
    bracket = None
    while it < max_ls:
        if f_new > f + c1 * t * gtd or (it > 1 and f_new >= prev[1]):
            bracket = _Bracket([prev, (t, f_new, g_new.copy(), gtd_new)])
            break
        if abs(gtd_new) <= -c2 * gtd:
            bracket = _Bracket([(t, f_new, g_new, gtd_new)])
            done = True
            break
        if gtd_new >= 0:
            bracket = _Bracket([prev, (t, f_new, g_new.copy(), gtd_new)])
            break
        bounds = (t + 0.01 * (t - prev[0]), t * 10)
        t_next = _cubic_interpolate(prev[0], prev[1], prev[3], t, f_new, gtd_new, bounds=bounds)
        prev = (t, f_new, g_new.copy(), gtd_new)
        t = t_next
        f_new, g_new = obj(x, t, d)
        evals += 1
        gtd_new = g_new.dot(d)
        it += 1
    if it == max_ls:
        bracket = _Bracket([(0, f, g, None), (t, f_new, g_new, None)])
    low, high = bracket.order()
    insuf_progress = False
    while not done and it < max_ls:
        steps = bracket.column(0)
        if abs(steps[1] - steps[0]) * d_norm < tolerance_change:
            break
        p0, p1 = bracket.points
        t = _cubic_interpolate(p0[0], p0[1], p0[3], p1[0], p1[1], p1[3])
        t, insuf_progress = _safeguard(t, max(steps), min(steps), insuf_progress)
        f_new, g_new = obj(x, t, d)
        evals += 1
        gtd_new = g_new.dot(d)
        it += 1
        point = (t, f_new, g_new.copy(), gtd_new)
        if f_new > f + c1 * t * gtd or f_new >= bracket.points[low][1]:
            bracket.points[high] = point
            low, high = bracket.order()
            continue
        if abs(gtd_new) <= -c2 * gtd:
            done = True
        elif gtd_new * (bracket.points[high][0] - bracket.points[low][0]) >= 0:
            bracket.points[high] = bracket.points[low]
        bracket.points[low] = point
    t, f_new, g_new, _ = bracket.points[low]
    return f_new, g_new, t, evals


def _safeguard(t, top, bottom, insuf_progress):
    """Keep an interpolated step away from the bracket's ends, as the line search requires."""
    eps = 0.1 * (top - bottom)
    if min(top - t, t - bottom) >= eps:
        return t, False
    if not (insuf_progress or t >= top or t <= bottom):
        return t, True
    if abs(t - top) < abs(t - bottom):
        return top - eps, False
    return bottom + eps, False


class LBFGS(Optimizer):
    """Implements the L-BFGS algorithm."""

    def __init__(self, params, lr=1, max_iter=20, max_eval=None, tolerance_grad=1e-7, tolerance_change=1e-9,
                 history_size=100, line_search_fn=None):
        check_lr(lr)
        if max_eval is None:
            max_eval = max_iter * 5 // 4
        defaults = {"lr": lr, "max_iter": max_iter, "max_eval": max_eval, "tolerance_grad": tolerance_grad,
                    "tolerance_change": tolerance_change, "history_size": history_size,
                    "line_search_fn": line_search_fn}
        super().__init__(params, defaults)
        if len(self.param_groups) != 1:
            raise ValueError("LBFGS doesn't support per-parameter options (parameter groups)")
        self._params = self.param_groups[0]["params"]

    def _flat_grad(self):
        parts = []
        for p in self._params:
            g = p.grad
            arr = F.xp_of(p._data).zeros(p._data.size, p._data.dtype) if g is None else g._data
            parts.append(F.real(arr).reshape(-1))
        return F.xp_of(parts[0]).concatenate(parts)

    def _add_grad(self, step_size, update):
        offset = 0
        for p in self._params:
            arr = F.real(p._data)
            n = arr.size
            F.add(arr, update[offset:offset + n].reshape(arr.shape), float(step_size), out=arr)
            bump(p)
            offset += n

    def _evaluate(self, closure, x, t, d):
        self._add_grad(t, d)
        loss = float(run_closure(closure))
        flat_grad = self._flat_grad()
        for p, saved in zip(self._params, x):
            p._data[...] = saved
            bump(p)
        return loss, flat_grad

    def step(self, closure):
        """Perform a single optimization step; ``closure`` re-evaluates the model and returns the loss."""
        with no_grad():
            return self._step(closure)

    def _step(self, closure):
        group = self.param_groups[0]
        state = self.state[self._params[0]]
        state.setdefault("func_evals", 0)
        state.setdefault("n_iter", 0)
        orig_loss = run_closure(closure)
        loss = float(orig_loss)
        state["func_evals"] += 1
        flat_grad = self._flat_grad()
        if abs(flat_grad).max() <= group["tolerance_grad"]:
            return orig_loss
        mem = {k: _unwrap(state.get(k)) for k in _TENSOR_KEYS + _LIST_KEYS + ("prev_loss",)}
        self._iterate(closure, group, state, mem, loss, flat_grad)
        for k in _TENSOR_KEYS + ("old_dirs", "old_stps", "ro", "prev_loss"):
            state[k] = _wrap(mem[k])
        if mem["al"] is not None:
            state["al"] = _wrap(mem["al"])
        return orig_loss

    def _direction(self, state, mem, flat_grad, history_size):
        """The L-BFGS two-loop recursion: update the curvature memory, return the search direction."""
        if state["n_iter"] == 1:
            mem.update(old_dirs=[], old_stps=[], ro=[], H_diag=1)
            return -flat_grad
        y = flat_grad - mem["prev_flat_grad"]
        s = mem["d"] * F.sc(mem["d"], mem["t"])
        ys = y.dot(s)
        if ys > 1e-10:
            if len(mem["old_dirs"]) == history_size:
                for k in ("old_dirs", "old_stps", "ro"):
                    mem[k].pop(0)
            mem["old_dirs"].append(y)
            mem["old_stps"].append(s)
            mem["ro"].append(1.0 / ys)
            mem["H_diag"] = ys / y.dot(y)
        dirs, stps, ro = mem["old_dirs"], mem["old_stps"], mem["ro"]
        if mem["al"] is None:
            mem["al"] = [None] * history_size
        al = mem["al"]
        q = -flat_grad
        for i in range(len(dirs) - 1, -1, -1):
            al[i] = stps[i].dot(q) * ro[i]
            F.add(q, dirs[i], -float(al[i]), out=q)
        r = q * F.sc(q, mem["H_diag"])
        for i in range(len(dirs)):
            be_i = dirs[i].dot(r) * ro[i]
            F.add(r, stps[i], float(al[i] - be_i), out=r)
        return r

    def _iterate(self, closure, group, state, mem, loss, flat_grad):
        lr = to_scalar(group["lr"])
        max_iter, max_eval = group["max_iter"], group["max_eval"]
        tol_change = group["tolerance_change"]
        evals = 1
        n_iter = 0
        while n_iter < max_iter:
            n_iter += 1
            state["n_iter"] += 1
            d = mem["d"] = self._direction(state, mem, flat_grad, group["history_size"])
            mem["prev_flat_grad"] = flat_grad.copy()
            mem["prev_loss"] = loss
            if state["n_iter"] == 1:
                t = mem["t"] = min(1.0, 1.0 / abs(flat_grad).sum()) * lr
            else:
                t = mem["t"] = lr
            gtd = flat_grad.dot(d)
            if gtd > -tol_change:
                break
            if group["line_search_fn"] is not None:
                if group["line_search_fn"] != "strong_wolfe":
                    raise RuntimeError("only 'strong_wolfe' is supported")
                x = [p._data.copy() for p in self._params]
                obj = lambda x_, t_, d_: self._evaluate(closure, x_, t_, d_)  # noqa: E731
                loss, flat_grad, t, ls_evals = _strong_wolfe(obj, x, t, d, loss, flat_grad, gtd,
                                                             max_ls=max_eval - evals)
                mem["t"] = t
                self._add_grad(t, d)
                opt_cond = abs(flat_grad).max() <= group["tolerance_grad"]
            else:
                self._add_grad(t, d)
                ls_evals = 0
                opt_cond = False
                if n_iter != max_iter:
                    loss = float(run_closure(closure))
                    flat_grad = self._flat_grad()
                    opt_cond = abs(flat_grad).max() <= group["tolerance_grad"]
                    ls_evals = 1
            evals += ls_evals
            state["func_evals"] += ls_evals
            if n_iter == max_iter or evals >= max_eval or opt_cond:
                break
            if abs(d * F.sc(d, t)).max() <= tol_change:
                break
            if abs(loss - mem["prev_loss"]) < tol_change:
                break
