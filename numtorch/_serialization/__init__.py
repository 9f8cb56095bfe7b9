"""Internals of ``numtorch.save``/``numtorch.load``: zip records, picklers, the restricted unpickler."""
