"""Compare two eval runs: what improved and what regressed, overall and case by case."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from assistant.errors import InputError

TOLERANCE = 1e-9


def load_results(path: Path) -> dict[str, Any]:
    try:
        results = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as error:
        raise InputError(f"{path}: not a results.json ({error})") from None
    if not isinstance(results, dict) or not {"summary", "cases"} <= results.keys():
        raise InputError(f"{path}: not a results.json of `otklik eval`")
    return results


def compare(before: dict[str, Any], after: dict[str, Any]) -> list[str]:
    """Readable lines: the summary with deltas, then every case whose scores moved."""
    lines = ["scorer                      before    after    change"]
    for name, entry in after["summary"].items():
        old = before["summary"].get(name, {}).get("value")
        lines.append(_summary_line(name, old, entry["value"], entry["higher_is_better"]))
    improved, regressed = _case_changes(before["cases"], after["cases"])
    lines += ["", f"cases improved: {len(improved)}", *improved, "", f"cases regressed: {len(regressed)}", *regressed]
    return lines


def _summary_line(name: str, old: float | None, new: float | None, higher_is_better: bool) -> str:
    if old is None or new is None:
        return f"{name:<26} {_fmt(old):>8} {_fmt(new):>8}"
    delta = new - old
    better = delta > TOLERANCE if higher_is_better else delta < -TOLERANCE
    worse = delta < -TOLERANCE if higher_is_better else delta > TOLERANCE
    verdict = "improved" if better else "REGRESSED" if worse else ""
    return f"{name:<26} {old:>8.3f} {new:>8.3f} {delta:>+9.3f} {verdict}"


def _case_changes(before: list[dict], after: list[dict]) -> tuple[list[str], list[str]]:
    old_cases = {case["id"]: case for case in before}
    improved, regressed = [], []
    for case in after:
        old = old_cases.get(case["id"])
        if old is None:
            continue
        for name, score in case["scores"].items():
            was, now = old["scores"].get(name, {}).get("value"), score["value"]
            if was is None or now is None or abs(now - was) <= TOLERANCE:
                continue
            line = f"  {case['id']} {name}: {was:.2f} → {now:.2f} ({score['reason']})"
            (improved if now > was else regressed).append(line)
    return improved, regressed


def _fmt(value: float | None) -> str:
    return "—" if value is None else f"{value:.3f}"
