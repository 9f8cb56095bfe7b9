"""Calling a module with other tensors in place of its parameters and buffers (``functional_call``)."""
import contextlib
import warnings

from ..._tensor import Tensor

__all__ = ["functional_call"]


def _merge(dicts):
    if isinstance(dicts, dict):
        return dict(dicts)
    merged = {}
    repeated = set()
    for d in dicts:
        repeated.update(k for k in d if k in merged)
        merged.update(d)
    if repeated:
        raise ValueError(f"{sorted(repeated)} appeared in multiple dictionaries; behavior of functional call is "
                         "ambiguous")
    return merged


def _with_tied(tensors, own):
    """``tensors`` extended to every name of a tied (shared) tensor of which one name was given."""
    groups = {}
    for name, t in own.items():
        groups.setdefault(id(t), []).append(name)
    tensors = dict(tensors)
    for names in groups.values():
        given = [n for n in names if n in tensors]
        if len(names) < 2 or not given:
            continue
        if len({id(tensors[n]) for n in given}) > 1:
            raise ValueError(f"functional_call got multiple values for keys {sorted(given)}, which are tied. "
                             "Consider using tie_weights=False")
        for n in names:
            tensors.setdefault(n, tensors[given[0]])
    return tensors


@contextlib.contextmanager
def _reparametrize_module(module, tensors, tie_weights=False, strict=False):
    """Within the block, ``module``'s parameters and buffers named in ``tensors`` are those tensors (other
    names become plain attributes); the originals are back afterwards, whatever happens."""
    own = dict(module.named_parameters(remove_duplicate=False))
    own.update(module.named_buffers(remove_duplicate=False))
    if tie_weights:
        tensors = _with_tied(tensors, own)
    if strict:
        missing, unexpected = sorted(set(own) - set(tensors)), sorted(set(tensors) - set(own))
        msgs = []
        if unexpected:
            msgs.append(f"Unexpected key(s): {', '.join(map(repr, unexpected))}.")
        if missing:
            msgs.append(f"Missing key(s): {', '.join(map(repr, missing))}.")
        if msgs:
            raise RuntimeError(f"Error(s) in reparametrizing for {module._get_name()}:\n\t" + "\n\t".join(msgs))
    for t in tensors.values():
        if not isinstance(t, Tensor):
            raise TypeError(f"{t} is not an instance of torch.Tensor")
    undo = []
    try:
        for name, t in tensors.items():
            prefix, _, attr = name.rpartition(".")
            owner = module.get_submodule(prefix)
            for table in (owner._parameters, owner._buffers):
                if attr in table:
                    undo.append((table, attr, table[attr]))
                    table[attr] = t
                    break
            else:
                setattr(owner, attr, t)
                undo.append((owner, attr, None))
        yield
    finally:
        for where, attr, old in reversed(undo):
            if isinstance(where, dict):
                where[attr] = old
            else:
                delattr(where, attr)


def _call(module, tensors, args, kwargs, tie_weights, strict):
    if kwargs is None:
        kwargs = {}
    if args is None:
        args = ()
    elif not isinstance(args, tuple):
        args = (args,)
    with _reparametrize_module(module, tensors, tie_weights=tie_weights, strict=strict):
        return module(*args, **kwargs)


def functional_call(module, parameters_and_buffers, args=None, kwargs=None, *, tie_weights=True, strict=False):
    """Calls ``module`` with the tensors of ``parameters_and_buffers`` (by name) in place of its own
    (deprecated: ``torch.func.functional_call`` is the same)."""
    warnings.warn("`torch.nn.utils.stateless.functional_call` is deprecated as of PyTorch 2.0 and will be removed "
                  "in a future version of PyTorch. Please use `torch.func.functional_call` instead which is a "
                  "drop-in replacement.", FutureWarning, stacklevel=2)
    return _call(module, parameters_and_buffers, args, kwargs, tie_weights, strict)
