"""Two blind reviews of the frozen set compared by what changed: of the drafts the same in
both packets and of those that changed, how many verdicts each pair of reviewers accepted
(send or light_edit). A new pair judging unchanged drafts differently is the reviewers, not
the drafts (docs/quality.md).

    python -m evals.review_compare OLD_PACKET NEW_PACKET --old A14.md B14.md --new A15.md B15.md
"""

from __future__ import annotations

import argparse
import re
from pathlib import Path

ACCEPTED = frozenset({"send", "light_edit"})
_ITEM = re.compile(r"^## (\d+)\. ", re.M)
_DRAFT = re.compile(r"```\n(.*?)```", re.S)
_ROW = re.compile(r"^\|\s*(\d+)\s*\|[^|]*\|\s*([a-z_]+)\s*\|", re.M)


def packet_drafts(text: str) -> dict[int, str]:
    """Each item's draft by its number; items without a draft are left out."""
    parts = _ITEM.split(text)[1:]
    found = ((int(number), _DRAFT.search(body)) for number, body in zip(parts[::2], parts[1::2], strict=True))
    return {number: draft.group(1).strip() for number, draft in found if draft}


def verdicts(text: str) -> dict[int, str]:
    """A review table's verdict by item number («| 12 | yes (reply) | send | … |»)."""
    return {int(number): verdict for number, verdict in _ROW.findall(text)}


def accepted(items: list[int], reviews: list[dict[int, str]]) -> tuple[int, int]:
    """Verdicts accepted, of all the verdicts the reviewers gave on these items."""
    return sum(review.get(n) in ACCEPTED for n in items for review in reviews), len(items) * len(reviews)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("old_packet", type=Path)
    parser.add_argument("new_packet", type=Path)
    parser.add_argument("--old", type=Path, nargs="+", required=True, help="the old packet's reviews")
    parser.add_argument("--new", type=Path, nargs="+", required=True, help="the new packet's reviews")
    args = parser.parse_args()
    old, new = (packet_drafts(p.read_text(encoding="utf-8")) for p in (args.old_packet, args.new_packet))
    old_reviews, new_reviews = (
        [verdicts(p.read_text(encoding="utf-8")) for p in paths] for paths in (args.old, args.new)
    )
    same = sorted(n for n in new if old.get(n) == new[n])
    changed = sorted(n for n in new if old.get(n) != new[n])
    print(f"drafts {len(new)}: {len(same)} unchanged, {len(changed)} changed {changed}")
    for label, items in (("unchanged", same), ("changed", changed)):
        (a, total), (b, _) = accepted(items, old_reviews), accepted(items, new_reviews)
        print(f"{label:10} old pair accepted {a}/{total}, new pair {b}/{total}")


if __name__ == "__main__":
    main()
