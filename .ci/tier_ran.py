"""Fail unless a test tier really ran: `python .ci/tier_ran.py JUNIT.xml NAME PATTERN...`.

Each PATTERN is a test module (`tests.test_llm_server`, as junit's classname starts);
every one must have run at least one test, and none may have been skipped.
"""

from __future__ import annotations

import sys
import xml.etree.ElementTree as ElementTree


def main(report: str, tier: str, modules: list[str]) -> int:
    cases = list(ElementTree.parse(report).getroot().iter("testcase"))
    failed = False
    for module in modules:
        mine = [c for c in cases if c.get("classname", "").startswith(module)]
        skipped = [c.get("name") for c in mine if c.find("skipped") is not None]
        ran = len(mine) - len(skipped)
        print(f"::: {tier}: {module}: {ran} tests ran, {len(skipped)} skipped")
        if ran == 0 or skipped:
            print(f"{tier}: {module} must run every test (skipped: {skipped or 'none ran'})", file=sys.stderr)
            failed = True
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1], sys.argv[2], sys.argv[3:]))
