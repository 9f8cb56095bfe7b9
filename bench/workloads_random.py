"""Random number generation (issue 4): bulk draws from the default generator, bit-identical to torch."""
from harness import workload


def _draw(fn_name, n):
    def setup(lib):
        lib.manual_seed(0)
        fn = getattr(lib, fn_name)
        return lambda: fn(n)
    return setup


workload("rand(10**7)", target="report ratio")(_draw("rand", 10 ** 7))
workload("randn(10**7)", target="report ratio")(_draw("randn", 10 ** 7))
workload("rand(1000)", target="report ratio")(_draw("rand", 1000))
workload("randn(1000)", target="report ratio")(_draw("randn", 1000))
