"""Correctness: the test suite's GPU tests on CUDA (the steady step under
set_sync_debug_mode("error"), hand gradients against autograd, the lazy AdamW against
torch.optim.AdamW in both of its branches, NVML by UUID, TF32 given back, out of memory while
loading); on the CPU the same comparisons run on the CPU (steps built as on CUDA). PASS when
pytest passes and ran at least one test."""

from __future__ import annotations

import subprocess
import sys
import xml.etree.ElementTree as ET

from bench.gpu.common import ROOT, Stage, run

CPU_TESTS = ["tests/core/training/test_lazy_adamw.py", "tests/core/training/test_slots.py"]


def _outcomes(junit) -> dict[str, str]:
    """test id -> passed / failed / skipped, from pytest's JUnit XML."""
    out = {}
    for case in ET.parse(junit).getroot().iter("testcase"):
        kinds = {child.tag for child in case}
        outcome = (
            "failed"
            if kinds & {"failure", "error"}
            else "skipped"
            if "skipped" in kinds
            else "passed"
        )
        out[f"{case.get('classname')}::{case.get('name')}"] = outcome
    return out


def body(stage: Stage) -> tuple[bool, str]:
    junit = stage.path.with_name("correctness-junit.xml")
    where = ["-m", "gpu", "tests/core/training"] if stage.device == "cuda" else CPU_TESTS
    cmd = [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider",
           "-W", "ignore::pytest.PytestConfigWarning",  # no pytest-qt there: qt_api is unknown
           f"--junitxml={junit}", *where]  # fmt: skip
    done = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, check=False)
    outcomes = _outcomes(junit) if junit.exists() else {}
    counts = {k: sum(v == k for v in outcomes.values()) for k in ("passed", "failed", "skipped")}
    failed = [name for name, v in outcomes.items() if v == "failed"]
    stage.save(pytest=" ".join(where), exit_code=done.returncode, counts=counts, failed=failed,
               tail=done.stdout.strip().splitlines()[-3:])  # fmt: skip
    passed = done.returncode == 0 and counts["passed"] > 0
    return (
        passed,
        f"pytest {counts['passed']} passed, {counts['failed']} failed, {counts['skipped']} skipped",
    )


if __name__ == "__main__":
    raise SystemExit(run("correctness", body, __doc__))
