"""Batch drafting through the language-model path against the scripted server, at two concurrencies.

    python benchmarks/llm_concurrency.py [--count 200] [--latency 0.5] [--concurrency 1 8]

Starts `tests/fake_openai_server.py` on 127.0.0.1 with a fixed latency per answer, builds
the components with OTKLIK_MODEL=openai over a temporary data directory, ingests the demo
brands, then drafts --count mentions cycled from the samples at each concurrency. Prints
the wall time, and the pipeline's own overhead (wall time minus the summed model latency,
measured at concurrency 1) as a share of model time.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from assistant.config import REPO_ROOT, Settings
from assistant.mention_io import read_mentions
from assistant.models import PipelineResult
from assistant.pipeline import build_components, run_batch
from benchmarks.draft_throughput import BRANDS, cycled
from knowledge.brands import load_brand
from tests.fake_openai_server import FakeOpenAI


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=200)
    parser.add_argument("--latency", type=float, default=0.5)
    parser.add_argument("--concurrency", type=int, nargs="+", default=[1, 8])
    args = parser.parse_args()
    server = FakeOpenAI(latency=args.latency)
    url = server.start()
    with tempfile.TemporaryDirectory() as data_dir:
        settings = Settings(_env_file=None, data_dir=Path(data_dir), model="openai", base_url=url, max_retries=0)
        parts = build_components(settings)
        for brand in BRANDS:
            parts.store.ingest(load_brand(settings.brands_dir / brand))
        samples = read_mentions(REPO_ROOT / "samples" / "mentions.jsonl").mentions
        for concurrency in args.concurrency:
            mentions = [m.model_copy(update={"id": f"c{concurrency}-{m.id}"}) for m in cycled(samples, args.count)]
            started = time.perf_counter()
            outcomes = asyncio.run(run_batch(mentions, parts, concurrency))
            wall = time.perf_counter() - started
            results = [r for r in outcomes if isinstance(r, PipelineResult)]
            if len(results) < len(outcomes):
                print(f"concurrency {concurrency}: {len(outcomes) - len(results)} mentions raised", flush=True)
            model = sum(call.latency_ms for r in results for call in r.calls) / 1000
            line = f"concurrency {concurrency}: {args.count} mentions in {wall:.1f} s; model time {model:.1f} s"
            if concurrency == 1:
                line += f"; pipeline overhead {(wall - model) / model:.1%} of model time"
            print(line, flush=True)
    server.stop()


if __name__ == "__main__":
    main()
