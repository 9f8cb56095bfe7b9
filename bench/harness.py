"""Workload registry and timing for the side-by-side benchmarks (driven by ``bench/run.py``)."""
import dataclasses
import gc
import statistics
import time

WORKLOADS = {}

SAMPLE_SECONDS = 0.02


@dataclasses.dataclass
class Workload:
    name: str
    setup: object
    target: str = ""
    check: object = None
    self_timed: bool = False
    max_repeat: int = 0


def workload(name, target="", check=None, self_timed=False, max_repeat=0):
    """Register ``setup(lib) -> callable`` as a workload.

    ``target`` describes the goal in the table; ``check(times)`` (a dict lib name -> seconds per call)
    says whether it is met. A ``self_timed`` callable measures itself and returns seconds (used when the
    work happens in a subprocess); it is then called once per sample. ``max_repeat`` caps the samples of a
    slow workload.
    """
    def register(setup):
        WORKLOADS[name] = Workload(name, setup, target, check, self_timed, max_repeat)
        return setup
    return register


SETTLE_SECONDS = 0.25


def calibrate(fn):
    """How many calls make one sample last about SAMPLE_SECONDS (beats the timer's resolution)."""
    number = 1
    while True:
        if time_loop(fn, number) * number >= SAMPLE_SECONDS or number >= 1 << 24:
            return number
        number *= 4


def time_loop(fn, number):
    """Seconds per call of ``fn``, averaged over ``number`` back-to-back calls with the collector off."""
    loop = range(number)
    enabled = gc.isenabled()
    gc.disable()
    try:
        start = time.perf_counter()
        for _ in loop:
            fn()
        return (time.perf_counter() - start) / number
    finally:
        if enabled:
            gc.enable()


def measure(wl, libs, repeat):
    """Median seconds per call for each library, sampling the libraries alternately."""
    fns = {name: wl.setup(lib) for name, lib in libs.items()}
    numbers = {name: 1 if wl.self_timed else calibrate(fn) for name, fn in fns.items()}
    samples = {name: [] for name in libs}
    order = list(libs)
    last = None
    for i in range(min(repeat, wl.max_repeat or repeat)):
        for name in order if i % 2 == 0 else order[::-1]:
            if last is not None and name != last:
                # Idle BLAS/OpenMP threads of the library just timed keep spinning on the cores for up to
                # ~0.1 s (OpenBLAS's default thread timeout) and would slow the next library's sample.
                time.sleep(SETTLE_SECONDS)
                if not wl.self_timed:
                    fns[name]()  # and wake this library's own threads before its sample
            last = name
            fn = fns[name]
            samples[name].append(fn() if wl.self_timed else time_loop(fn, numbers[name]))
    return {name: statistics.median(s) for name, s in samples.items()}
