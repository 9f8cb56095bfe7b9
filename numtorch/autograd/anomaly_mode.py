"""torch.autograd.anomaly_mode: anomaly detection (NaN checks and forward traces in backward errors)."""
from .grad_mode import _set_anomaly, detect_anomaly, set_detect_anomaly

__all__ = ["detect_anomaly", "set_detect_anomaly"]


def set_anomaly_enabled(enabled, check_nan=True):
    """Turns anomaly detection on or off globally (``torch.set_anomaly_enabled``)."""
    for name, v in (("enabled", enabled), ("check_nan", check_nan)):
        if type(v) is not bool:
            where = "'enabled' (position 1)" if name == "enabled" else "'check_nan'"
            raise TypeError(f"set_anomaly_enabled(): argument {where} must be bool, not {type(v).__name__}")
    _set_anomaly(enabled, check_nan)
