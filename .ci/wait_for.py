"""Wait until a server answers: `python .ci/wait_for.py URL WHAT` (up to 60 s, else exit 1 naming WHAT)."""

from __future__ import annotations

import sys
import time
import urllib.request


def main(url: str, what: str) -> int:
    for _ in range(120):
        try:
            urllib.request.urlopen(url, timeout=1)
            return 0
        except OSError:
            time.sleep(0.5)
    print(f"{what} did not start", file=sys.stderr)
    return 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1], sys.argv[2]))
