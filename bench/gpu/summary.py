"""The GPU check's last line: one JSON object with PASS or FAIL per stage (a stage that wrote no
verdict failed: it timed out or crashed), read from the stages' files in OUT."""

from __future__ import annotations

import argparse
import json
from pathlib import Path

STAGES = ("preflight", "syncs", "correctness", "parity", "throughput", "memory", "oom")


def verdict(out: Path, name: str) -> tuple[str, str]:
    """(PASS or FAIL, why) of one stage from its JSON file and its exit code."""
    code = (out / f"{name}.rc").read_text().strip() if (out / f"{name}.rc").exists() else "?"
    path = out / f"{name}.json"
    figures = json.loads(path.read_text()) if path.exists() else {}
    status = figures.get("status", "FAIL")
    if code in ("124", "137"):
        return "FAIL", f"timed out ({figures.get('seconds', '?')} s of figures kept)"
    if status not in ("PASS", "FAIL"):
        return "FAIL", f"ended without a verdict (exit {code})"
    return status, figures.get("why", "")


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__)
    p.add_argument("--device", required=True)
    p.add_argument("--out", required=True)
    p.add_argument("--seconds", type=int, required=True)
    args = p.parse_args()
    out = Path(args.out)
    verdicts = {name: verdict(out, name) for name in STAGES}
    summary = {
        "gpu_check": "PASS" if all(s == "PASS" for s, _ in verdicts.values()) else "FAIL",
        "device": args.device,
        "seconds": args.seconds,
        "stages": {name: status for name, (status, _) in verdicts.items()},
        "why": {name: why for name, (_, why) in verdicts.items()},
        "out": str(out),
    }
    (out / "summary.json").write_text(json.dumps(summary, indent=1) + "\n")
    print(json.dumps(summary))
    return 0 if summary["gpu_check"] == "PASS" else 1


if __name__ == "__main__":
    raise SystemExit(main())
