"""`otklik`: the command line, the outermost layer. It imports the others; nothing imports it.

Errors a person can fix (unknown brand, empty text, unreadable file) print one line and
exit with a non-zero code; they never show a traceback.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path

from pydantic import ValidationError
from tqdm import tqdm

from assistant.config import Settings
from assistant.errors import ApiEditsError, AssistantError, InputError, UnknownBrandError
from assistant.mention_io import (
    PRESETS,
    MentionBatch,
    column_mapping,
    describe_validation_error,
    read_mentions,
    write_jsonl,
)
from assistant.models import ClassifiedMention, Mention, PipelineResult, Platform
from assistant.pipeline import Components, build_components, build_offline, case_reference, run, run_batch
from evals.datasets import load_sample_expectations
from evals.heldout import evaluate
from knowledge.brands import load_brand
from knowledge.embeddings import Embedder
from knowledge.labelled import load_labelled, split
from knowledge.store import KnowledgeStore, make_client
from otklik import render
from otklik.eval_commands import add_eval_parser
from otklik.report_command import add_report_parser
from otklik.service_commands import add_service_parsers
from otklik.train_commands import add_train_parsers

EXIT_USAGE = 2
EXIT_FAILED = 1


def main(argv: Sequence[str] | None = None) -> int:
    parser = _parser()
    args = parser.parse_args(argv)
    if not getattr(args, "command", None):
        parser.print_help()
        return EXIT_USAGE
    try:
        return args.handler(args, Settings())
    except AssistantError as error:
        print(f"otklik: error: {error}", file=sys.stderr)
        return EXIT_FAILED
    except ValidationError as error:
        print(f"otklik: error: {describe_validation_error(error)}", file=sys.stderr)
        return EXIT_FAILED
    except OSError as error:  # e.g. OTKLIK_DATA_DIR is a file, or not writable
        where = f"{error.filename}: " if error.filename else ""
        print(f"otklik: error: {where}{error.strerror or error}", file=sys.stderr)
        return EXIT_FAILED
    except KeyboardInterrupt:
        print("otklik: interrupted", file=sys.stderr)
        return 130


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="otklik", description="Reply assistant for brand mentions.")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")

    draft = commands.add_parser("draft", help="draft replies to one mention or a file of them")
    draft.add_argument("text", nargs="?", help="the mention's text (or use --input)")
    draft.add_argument("--brand", help="brand id (required for a single text; fills rows without one)")
    draft.add_argument("--author", help="the author's name")
    draft.add_argument("--platform", default="other", choices=[p.value for p in Platform])
    draft.add_argument("--rating", type=int, choices=range(1, 6), metavar="1-5")
    draft.add_argument("--input", type=Path, help="mentions as .jsonl, .json, .csv or .xlsx")
    _add_preset(draft)
    draft.add_argument("--output", type=Path, help="write results as .jsonl")
    draft.add_argument("--json", action="store_true", help="machine-readable output")
    draft.add_argument(
        "--concurrency", type=int, metavar="N", help="with a language model: mentions in flight (OTKLIK_CONCURRENCY)"
    )
    draft.set_defaults(handler=cmd_draft)

    classify = commands.add_parser("classify", help="classify mentions from a file")
    classify.add_argument("--input", type=Path, required=True, help="mentions: .jsonl, .json, .csv or .xlsx")
    _add_preset(classify)
    classify.add_argument("--output", type=Path, required=True, help="JSONL, one classification per line")
    classify.add_argument("--brand", help="brand id, for its topics and triggers (optional)")
    classify.set_defaults(handler=cmd_classify)

    ingest = commands.add_parser("ingest", help="load a brand folder (or a folder of brand folders)")
    ingest.add_argument("folder", type=Path)
    ingest.add_argument("--force", action="store_true", help="replace knowledge edited through the API")
    ingest.set_defaults(handler=cmd_ingest)

    brands = commands.add_parser("brands", help="list the brands in the knowledge store")
    brands.add_argument("--json", action="store_true")
    brands.set_defaults(handler=cmd_brands)

    add_eval_parser(commands)
    add_service_parsers(commands)
    add_train_parsers(commands)
    add_report_parser(commands)

    heldout = commands.add_parser("heldout", help="score the offline classifier on the held-out labelled mentions")
    heldout.set_defaults(handler=cmd_heldout)

    demo = commands.add_parser("demo", help="load the demo brands and draft replies to the sample mentions")
    demo.add_argument("--samples", type=Path, help="mentions file (default: samples/mentions.jsonl)")
    demo.add_argument("--json", action="store_true")
    demo.set_defaults(handler=cmd_demo)
    return parser


def _add_preset(command: argparse.ArgumentParser) -> None:
    command.add_argument(
        "--preset",
        choices=list(PRESETS),
        default="canonical",
        help="the columns of --input: a monitoring export's own (docs/csv-import.md); default: the field names",
    )


# --- commands ---------------------------------------------------------------------------


def cmd_draft(args: argparse.Namespace, settings: Settings) -> int:
    if args.input:
        return _draft_file(args, settings)
    if not args.text or not args.text.strip():
        raise InputError("give the mention's text, or --input FILE")
    if not args.brand:
        raise InputError("--brand is required (see `otklik brands`)")
    mention = Mention(
        brand=args.brand, text=args.text, author_name=args.author, platform=Platform(args.platform), rating=args.rating
    )
    parts = build_components(settings)
    result = run(mention, parts, case_ref=case_reference(mention))
    parts.store.flush()
    print(result.model_dump_json(indent=2) if args.json else render.result(result))
    return 0


def _draft_file(args: argparse.Namespace, settings: Settings) -> int:
    batch = read_mentions(args.input, args.brand, column_mapping(args.preset))
    _report_row_errors(args.input, batch)
    parts = build_components(settings)
    if args.brand:
        parts.store.load_brand(args.brand)  # an unknown --brand is one error, not one per row
    results, skipped = _run_batch(parts, args.input, batch, args.concurrency or settings.concurrency)
    if args.output:
        count = write_jsonl(args.output, results)
        print(f"wrote {count} results to {args.output}", file=sys.stderr)
    else:
        for result in results:
            print(result.model_dump_json() if args.json else render.result(result) + "\n")
    return EXIT_FAILED if batch.errors or skipped else 0


def cmd_classify(args: argparse.Namespace, settings: Settings) -> int:
    batch = read_mentions(args.input, args.brand or "generic", column_mapping(args.preset))
    _report_row_errors(args.input, batch)
    parts = build_components(settings)
    brand = parts.store.load_brand(args.brand) if args.brand else None
    embedder = parts.store.embedder

    def classify(mention: Mention) -> ClassifiedMention:
        classification = parts.classifier.classify(mention, brand, embedder.embed_one(mention.text))
        return ClassifiedMention(id=mention.id, **classification.model_dump())

    count = write_jsonl(args.output, _progress(batch.mentions, classify))
    print(f"wrote {count} classifications to {args.output}", file=sys.stderr)
    return EXIT_FAILED if batch.errors else 0


def cmd_ingest(args: argparse.Namespace, settings: Settings) -> int:
    folders = _brand_folders(args.folder)
    store = KnowledgeStore(make_client(settings), Embedder())
    for folder in folders:
        report = store.ingest(load_brand(folder), replace_api_edits=args.force)
        print(render.ingest_report(report))
    return 0


def cmd_brands(args: argparse.Namespace, settings: Settings) -> int:
    store = KnowledgeStore(make_client(settings), Embedder())
    brands = [store.load_brand(brand_id) for brand_id in store.brand_ids()]
    if args.json:
        print(json.dumps([b.profile.model_dump(mode="json") for b in brands], ensure_ascii=False, indent=2))
    elif not brands:
        print("no brands yet: run `otklik ingest knowledge/brands`")
    for brand in brands if not args.json else []:
        print(
            f"{brand.profile.id:<16} {brand.profile.name} — {len(brand.facts)} facts, "
            f"{len(brand.approved_replies)} approved replies"
        )
    return 0


def cmd_heldout(args: argparse.Namespace, settings: Settings) -> int:
    parts = build_offline(settings)
    _training, heldout = split(load_labelled(settings.shared_dir))
    print(f"held-out mentions: {len(heldout)} (never seen in training)")
    for score in evaluate(parts.classifier, parts.store.embedder, heldout):
        print(f"{score.field:<18} macro-F1 {score.macro_f1:.3f}  (n={score.support})")
    return 0


def cmd_demo(args: argparse.Namespace, settings: Settings) -> int:
    """The main job: ingest the demo brands and draft replies to the bundled sample mentions."""
    samples = args.samples or settings.brands_dir.parents[1] / "samples" / "mentions.jsonl"
    batch = read_mentions(samples)  # a bad samples file fails before the slow ingest
    _report_row_errors(samples, batch)
    parts = build_components(settings)
    for folder in _brand_folders(settings.brands_dir):
        try:
            print(render.ingest_report(parts.store.ingest(load_brand(folder))), file=sys.stderr)
        except ApiEditsError as kept:  # the demo drafts with what brand owners made of the brand
            print(f"otklik: {folder.name}: the store's API edits are kept ({kept})", file=sys.stderr)
    results, _skipped = _run_batch(parts, samples, batch)
    expected = load_sample_expectations(samples.parent / "expected.yaml")
    misses = {r.mention.id: expected[r.mention.id].mismatch(r) for r in results if r.mention.id in expected}
    for result in results:
        if args.json:
            print(result.model_dump_json())
            continue
        shown = [render.result(result)]
        if result.mention.id in misses:
            shown.append(render.expectation(misses[result.mention.id]))
        print("\n".join(shown) + "\n")
    if not args.json:
        print(render.summary(results))
        if misses:
            met = sum(miss is None for miss in misses.values())
            print(f"{met}/{len(misses)} samples got their expected sentiment and decision (samples/expected.yaml)")
    return 0


# --- helpers ----------------------------------------------------------------------------


def _brand_folders(folder: Path) -> list[Path]:
    if (folder / "brand.yaml").exists():
        return [folder]
    found = sorted(p.parent for p in folder.glob("*/brand.yaml")) if folder.is_dir() else []
    if not found:
        raise InputError(f"{folder}: no brand.yaml here or in its subfolders")
    return found


def _run_batch(
    parts: Components, path: Path, batch: MentionBatch, concurrency: int = 1
) -> tuple[list[PipelineResult], int]:
    """Run every mention of a known brand: the results, and how many rows were skipped or failed
    (each reported by line: a row of an unknown brand is skipped, a run that raised has failed)."""
    known = set(parts.store.brand_ids())
    rows = list(zip(batch.lines, batch.mentions, strict=True))
    unknown = [(line, m) for line, m in rows if m.brand not in known]
    for line, mention in unknown:
        print(f"otklik: {path}:{line}: skipped: {UnknownBrandError(mention.brand, sorted(known))}", file=sys.stderr)
    if len(unknown) == len(batch.mentions):
        raise InputError(f"{path}: no mention of a known brand")
    runnable = [(line, m) for line, m in rows if m.brand in known]
    try:
        outcomes = _run_all(parts, [m for _line, m in runnable], concurrency)
    finally:
        parts.store.flush()
    results = []
    for (line, _mention), outcome in zip(runnable, outcomes, strict=True):
        if isinstance(outcome, Exception):
            print(f"otklik: {path}:{line}: failed: {type(outcome).__name__}: {outcome}", file=sys.stderr)
        else:
            results.append(outcome)
    return results, len(batch.mentions) - len(results)


def _run_all(parts: Components, mentions: list[Mention], concurrency: int) -> list[PipelineResult | Exception]:
    """With a language model, `concurrency` mentions in flight; offline, one at a time (nothing to wait for).
    A mention whose run raised has its exception in its place (`run_batch`)."""
    in_flight = 1 if parts.settings.model == "offline" else max(1, concurrency)
    with tqdm(total=len(mentions), unit="mention", disable=len(mentions) < 2 or not sys.stderr.isatty()) as bar:
        return asyncio.run(run_batch(mentions, parts, in_flight, bar.update))


def _report_row_errors(path: Path, batch: MentionBatch) -> None:
    if batch.ignored:
        print(
            f"otklik: {path}: warning: set aside fields Otklik does not know: {', '.join(batch.ignored)}",
            file=sys.stderr,
        )
    for error in batch.errors:
        print(f"otklik: {path}:{error.line}: skipped: {error.message}", file=sys.stderr)
    if not batch.mentions:
        raise InputError(f"{path}: no valid mentions")


def _progress(items: list[Mention], step: Callable[[Mention], ClassifiedMention]) -> list[ClassifiedMention]:
    bar: Iterator[Mention] = tqdm(items, unit="mention", disable=len(items) < 2 or not sys.stderr.isatty())
    return [step(item) for item in bar]


if __name__ == "__main__":
    raise SystemExit(main())
