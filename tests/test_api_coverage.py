"""The API lists in ../shared/api: no tier-1/2 name of any namespace, and no torch.linalg name, is missing."""
import os
import re
import subprocess
import sys

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
TOOL = os.path.join(os.path.dirname(ROOT), "shared", "tools", "api_coverage.py")
# Names still missing, each with the reason; the test fails if anything else goes missing.
KNOWN_MISSING = {}


def _missing(tier, ns):
    if not os.path.exists(TOOL):
        pytest.skip("the shared API lists are not beside this checkout")
    out = subprocess.run([sys.executable, TOOL, "--tier", tier, "--ns", ns, "--report", "--repo", ROOT],
                         capture_output=True, text=True, cwd=ROOT, check=False).stdout
    return set(re.findall(r"\] (?:missing|stub)\s+(\S+)", out)), out


@pytest.mark.parametrize("ns", ["torch,tensor", "autograd", "nn,functional,init", "optim", "data", "vision",
                                "cuda", "misc"])
def test_tiers_1_2(ns):
    missing, report = _missing("1,2", ns)
    assert missing <= set(KNOWN_MISSING), report


def test_linalg_names():
    missing, report = _missing("1,2,3", "misc")
    linalg = {n for n in missing if n.startswith("torch.linalg.")}
    assert not linalg, report
