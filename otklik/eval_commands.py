"""`otklik eval`: QA runs the eval suite, compares two runs and gates on thresholds."""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

from assistant.config import Settings
from assistant.errors import InputError
from assistant.pipeline import build_components
from evals import fact_questions, situations, traps
from evals.compare import compare, load_results
from evals.datasets import DATASETS_DIR, is_heldout_id, load_mentions, load_replies, load_slices
from evals.gate import THRESHOLDS, failures, load_thresholds
from evals.judge import make_judge
from evals.runner import run_eval, write_results
from evals.slices import run_slices, summary_entries
from knowledge.brands import load_brand

EXIT_BELOW_THRESHOLDS = 3


def add_eval_parser(commands: argparse._SubParsersAction) -> None:
    parser = commands.add_parser("eval", help="run the eval suite (or: eval compare A B)")
    parser.add_argument("--dataset", default="mentions", help="dataset name in evals/datasets or a YAML file")
    parser.add_argument("--replies", default="replies", help="labelled replies for the checker ('none' to skip)")
    parser.add_argument(
        "--model", choices=["offline", "openai", "gigachat", "yandexgpt"], help="backend (default: OTKLIK_MODEL)"
    )
    parser.add_argument("--out", type=Path, default=Path("out/eval"), help="folder for results.json and report.html")
    parser.add_argument("--gate", action="store_true", help=f"exit {EXIT_BELOW_THRESHOLDS} below evals/thresholds.yaml")
    parser.add_argument("--no-slices", action="store_true", help="leave out the slices (evals/datasets/slices_*.yaml)")
    parser.add_argument(
        "--no-traps", action="store_true", help="leave out the checks' traps (evals/datasets/traps_*.yaml)"
    )
    parser.add_argument(
        "--no-situations", action="store_true", help="leave out the situations (evals/datasets/situations.yaml)"
    )
    parser.add_argument(
        "--no-fact-questions", action="store_true", help="leave out the questions (evals/datasets/fact_questions.yaml)"
    )
    parser.add_argument("--no-progress", action="store_true")
    parser.set_defaults(handler=cmd_eval)
    nested = parser.add_subparsers(dest="eval_command", metavar="compare")
    comparison = nested.add_parser("compare", help="what improved and what regressed between two runs")
    comparison.add_argument("before", type=Path, help="results.json of the earlier run")
    comparison.add_argument("after", type=Path, help="results.json of the later run")
    comparison.set_defaults(handler=cmd_compare)


def cmd_eval(args: argparse.Namespace, settings: Settings) -> int:
    cases = _load_cases(args.dataset)
    slices = [] if args.no_slices else load_slices()
    replies = [] if args.replies == "none" else _load_replies(args.replies)
    if args.model:
        settings = settings.model_copy(update={"model": args.model})
    with tempfile.TemporaryDirectory(prefix="otklik-eval-") as scratch:
        # A fresh store per run: results depend on the brand folders and the code, nothing else.
        parts = build_components(settings.model_copy(update={"data_dir": Path(scratch), "chroma_path": None}))
        for brand_id in sorted({case.brand for case in [*cases, *slices]} | {reply.brand for reply in replies}):
            parts.store.ingest(load_brand(settings.brands_dir / brand_id))
        judge = make_judge(parts)
        results = run_eval(cases, replies, parts, args.dataset, progress=not args.no_progress, judge=judge)
        if slices:
            results["slices"] = run_slices(slices, parts, progress=not args.no_progress)
            results["summary"] |= summary_entries(results["slices"])
        if not args.no_traps:
            scores, _ = traps.score(traps.load_traps(), parts)
            results["traps"] = traps.report(scores)
            results["summary"] |= traps.summary_entries(scores)
        if not args.no_situations:  # the held-out half only: the tuning half is for `python -m evals.situations`
            heldout = [case for case in situations.load_situations() if is_heldout_id(case.id)]
            outcomes = [situations.recognise(case, parts) for case in heldout]
            results["summary"] |= situations.summary_entries(outcomes)
        if not args.no_fact_questions:  # the held-out half only, like the situations
            asked = [case for case in fact_questions.load_questions() if is_heldout_id(case.id)]
            results["summary"] |= fact_questions.summary_entries([fact_questions.answer(c, parts) for c in asked])
    json_path, html_path = write_results(results, args.out)
    _print_summary(results)
    print(f"wrote {json_path} and {html_path}")
    if args.gate:
        return _gate(results)
    return 0


def cmd_compare(args: argparse.Namespace, settings: Settings) -> int:
    for line in compare(load_results(args.before), load_results(args.after)):
        print(line)
    return 0


def _load_cases(dataset: str):
    path = Path(dataset)
    if path.suffix in (".yaml", ".yml"):
        if not path.exists():
            raise InputError(f"{path}: no such dataset file")
        return load_mentions(path.parent, path.name)
    return load_mentions(DATASETS_DIR, f"{dataset}_*.yaml")


def _load_replies(dataset: str):
    path = Path(dataset)
    if path.suffix in (".yaml", ".yml"):
        return load_replies(path.parent, path.name)
    return load_replies(DATASETS_DIR, f"{dataset}*.yaml")


def _print_summary(results: dict) -> None:
    meta = results["meta"]
    print(f"{meta['dataset']}: {meta['cases']} cases, {meta['replies']} labelled replies, {meta['seconds']} s")
    for name, entry in results["summary"].items():
        value = "—" if entry["value"] is None else f"{entry['value']:.3f}"
        arrow = "↑" if entry["higher_is_better"] else "↓"
        print(f"  {name:<26} {value:>7} {arrow}  n={entry['n']}")


def _gate(results: dict) -> int:
    problems = failures(results["summary"], load_thresholds(THRESHOLDS))
    for problem in problems:
        print(f"below threshold: {problem}", file=sys.stderr)
    if problems:
        return EXIT_BELOW_THRESHOLDS
    print("every threshold met")
    return 0
