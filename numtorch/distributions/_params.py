"""Mixins for distributions parameterized by ``probs`` or ``logits``."""


class _ParamOwner:
    """A distribution holding its given parameter (probs or logits) as ``_param``."""

    def _new(self, *args, **kwargs):
        return self._param.new(*args, **kwargs)

    @property
    def param_shape(self):
        return self._param.size()

    def _expand_with_param(self, cls, batch_shape, names, _instance, event_shape=()):
        """``expand`` for these families: expand the named tensors, then point ``_param`` at the given one."""
        new = self._expand_params(cls, batch_shape, names, _instance, event_shape)
        new._param = new.__dict__["logits"] if "logits" in self.__dict__ else new.__dict__["probs"]
        return new


class _CategoricalWrapper:
    """A distribution built around a ``Categorical`` in ``_categorical``, exposing its parameters."""

    def _new(self, *args, **kwargs):
        return self._categorical._new(*args, **kwargs)

    @property
    def _param(self):
        return self._categorical._param

    @property
    def param_shape(self):
        return self._categorical.param_shape

    @property
    def logits(self):
        return self._categorical.logits

    @property
    def probs(self):
        return self._categorical.probs
