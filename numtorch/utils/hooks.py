"""RemovableHandle: what every ``register_*hook`` returns."""
import itertools
import weakref


def _ref(d):
    # Plain dicts cannot be weakly referenced; a handle then keeps its dict alive, which is harmless.
    try:
        return weakref.ref(d)
    except TypeError:
        return lambda: d


class RemovableHandle:
    """A handle that removes a registered hook from its dict(s) when ``remove()`` is called."""

    _ids = itertools.count()

    def __init__(self, hooks_dict, *, extra_dict=None):
        self.hooks_dict_ref = _ref(hooks_dict)
        self.id = next(RemovableHandle._ids)
        extras = extra_dict if isinstance(extra_dict, (list, tuple)) else [extra_dict]
        self.extra_dict_ref = tuple(_ref(d) for d in extras if d is not None)

    def remove(self):
        for ref in (self.hooks_dict_ref, *self.extra_dict_ref):
            d = ref()
            if d is not None and self.id in d:
                del d[self.id]

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.remove()
