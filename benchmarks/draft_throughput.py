"""Draft throughput of the offline default, end to end through `assistant.pipeline.run`.

    python benchmarks/draft_throughput.py [--count 1000]

Builds the offline components over a temporary data directory, ingests the two demo brands,
then drafts --count mentions cycled from samples/mentions.jsonl — each with a new id and a
varied author name, so nothing is reused between runs. Setup includes loading the model,
embedding the brands and the shared examples, and fitting each brand's classifier (one
warm-up mention per brand, not counted).
"""

from __future__ import annotations

import argparse
import resource
import shlex
import sys
import tempfile
import time
from pathlib import Path

from assistant.config import REPO_ROOT, Settings
from assistant.mention_io import read_mentions
from assistant.models import Mention, PipelineResult
from assistant.pipeline import Components, build_offline, case_reference, run
from knowledge.brands import load_brand

BRANDS = ("obed-express", "kedr-bank")
SAMPLES = REPO_ROOT / "samples" / "mentions.jsonl"
NAMES = ("Ирина", "Алексей С.", "Мария Петрова", "dmitry_k", "Ольга", "Тимур", "Екатерина В.", "Sam")


def cycled(samples: list[Mention], count: int) -> list[Mention]:
    """count mentions from the samples, each with a new id; named authors get varied names."""
    return [
        sample.model_copy(
            update={
                "id": f"bench-{i:05d}",
                "author_name": NAMES[i % len(NAMES)] if sample.author_name else None,
            }
        )
        for i, sample in ((i, samples[i % len(samples)]) for i in range(count))
    ]


def setup(data_dir: Path, samples: list[Mention]) -> Components:
    parts = build_offline(Settings(data_dir=data_dir, _env_file=None))
    for brand_id in BRANDS:
        parts.store.ingest(load_brand(REPO_ROOT / "knowledge" / "brands" / brand_id))
        warm_up = next(m for m in samples if m.brand == brand_id)
        run(warm_up.model_copy(update={"id": f"warm-{brand_id}"}), parts)
    return parts


def peak_memory_mb() -> float:
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss  # KiB on Linux, bytes on macOS
    return peak / (1024 * 1024) if sys.platform == "darwin" else peak / 1024


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=1000, help="mentions to draft (default: 1000)")
    count = parser.parse_args().count
    if count < 1:
        parser.error("--count must be at least 1")
    samples = read_mentions(SAMPLES).mentions
    with tempfile.TemporaryDirectory(prefix="otklik-bench-") as tmp:
        started = time.perf_counter()
        parts = setup(Path(tmp), samples)
        setup_seconds = time.perf_counter() - started
        mentions = cycled(samples, count)
        started = time.perf_counter()
        results: list[PipelineResult] = [run(m, parts, case_ref=case_reference(m)) for m in mentions]
        seconds = time.perf_counter() - started
    drafts = sum(1 for result in results if result.draft)
    print(f"command:          {shlex.join([sys.executable, *sys.argv])}")
    print(f"setup:            {setup_seconds:.1f} s (model, ingest of {len(BRANDS)} brands, classifier fit)")
    print(f"mentions:         {count} ({len(samples)} samples cycled) in {seconds:.1f} s")
    print(f"mentions/second:  {count / seconds:.1f}")
    print(f"drafts/second:    {drafts / seconds:.1f} ({drafts} of {count} mentions got a draft)")
    print(f"mean per mention: {1000 * seconds / count:.1f} ms")
    print(f"peak memory:      {peak_memory_mb():.0f} MB (ru_maxrss)")


if __name__ == "__main__":
    main()
