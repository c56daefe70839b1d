"""A packet for a blind review (../shared/REVIEW.md): per item the brand, platform, author,
rating, the mention, the system's actions and the draft; not the classification, the
checks or the expected answer.

    python -m evals.review_packet --out packet.md [--slices 40]
    python -m evals.review_packet --out packet.md --review-set   # the frozen review set
    python -m evals.review_packet --out packet.md --input mentions.jsonl   # mentions of your own

Items: every bundled sample, then N held-out slice cases (a seeded sample); or, with
--review-set, the frozen set of evals/datasets/review_set.yaml (never tuned on), each drafted
at the moment its mention was written; or, with --input, the mentions of a file (.jsonl, .json,
.csv, .xlsx: a fresh set nobody has read, for a review the figures of the frozen set cannot
have been tuned to). Each through the offline default with a fresh store.
"""

from __future__ import annotations

import argparse
import random
import tempfile
from pathlib import Path

import yaml

from assistant.config import REPO_ROOT, Settings
from assistant.errors import InputError
from assistant.mention_io import read_mentions
from assistant.models import Mention, PipelineResult
from assistant.pipeline import build_components, case_reference, run
from evals.datasets import is_heldout_case, load_slices
from knowledge.brands import load_brand


def item(number: int, result: PipelineResult) -> str:
    m = result.mention
    lines = [
        f"## {number}. {m.brand} · {m.platform.value} · {m.author_name or 'anonymous'}"
        + (f" · {m.rating}★" if m.rating else ""),
        "",
        "> " + m.text.replace("\n", "\n> "),
        "",
        f"**Actions:** {', '.join(a.value for a in result.decision.actions)}",
    ]
    if result.draft:
        lines += ["", "**Draft:**", "", "```", result.draft.text, "```"]
    return "\n".join(lines)


REVIEW_SET = REPO_ROOT / "evals" / "datasets" / "review_set.yaml"


def review_set() -> list[Mention]:
    """The frozen review set's mentions, without what they are expected to get."""
    items = yaml.safe_load(REVIEW_SET.read_text(encoding="utf-8"))
    fields = ("id", "brand", "platform", "author_name", "rating", "language", "created_at", "text")
    return [Mention.model_validate({key: item[key] for key in fields if item.get(key) is not None}) for item in items]


def samples_and_slices(count: int) -> list[Mention]:
    mentions: list[Mention] = read_mentions(REPO_ROOT / "samples" / "mentions.jsonl").mentions
    held = [case for case in load_slices() if is_heldout_case(case)]
    return mentions + [case.mention() for case in random.Random(20261204).sample(held, min(count, len(held)))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--slices", type=int, default=40, help="how many held-out slice cases")
    chosen = parser.add_mutually_exclusive_group()
    chosen.add_argument("--review-set", action="store_true", help="the frozen review set instead")
    chosen.add_argument("--input", type=Path, help="the mentions of this file instead")
    args = parser.parse_args()
    if args.input:
        try:
            mentions = read_mentions(args.input).mentions
        except (InputError, OSError) as error:
            parser.error(str(error))
    else:
        mentions = review_set() if args.review_set else samples_and_slices(args.slices)
    with tempfile.TemporaryDirectory() as scratch:
        settings = Settings(data_dir=Path(scratch))
        parts = build_components(settings)
        for brand in sorted({m.brand for m in mentions}):
            parts.store.ingest(load_brand(settings.brands_dir / brand))
        results = [run(m, parts, case_ref=case_reference(m), now=m.created_at) for m in mentions]
    body = "\n\n".join(item(number, result) for number, result in enumerate(results, start=1))
    args.out.write_text(f"# Review packet: {len(results)} mentions\n\n{body}\n", encoding="utf-8")
    print(f"{args.out}: {len(results)} mentions, {sum(1 for r in results if r.draft)} drafts")


if __name__ == "__main__":
    main()
