"""How many of a provider's tokens one o200k token costs on our prompts (the token safety factor).

    OTKLIK_MODEL=gigachat OTKLIK_GIGACHAT_CREDENTIALS=... python benchmarks/token_factor.py
    OTKLIK_MODEL=yandexgpt OTKLIK_API_KEY=... OTKLIK_YANDEX_FOLDER_ID=... python benchmarks/token_factor.py
    python benchmarks/token_factor.py --url http://127.0.0.1:8011/v1 --model smollm2   # OpenAI-compatible

Sends the prompt snapshots (tests/snapshots/prompt_*.txt: the draft, classify and judge
prompts rendered with fixture data) through the configured provider's chat model (the same
one Otklik drafts with, from the same OTKLIK_* settings) with a 16-token reply cap, and
compares the prompt tokens the provider reports with our own o200k count. Use the highest
ratio (with a little margin, as printed) as OTKLIK_TOKEN_SAFETY_FACTOR for that model; Otklik
also raises the factor by itself when a provider reports more tokens than it counted.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from langchain_core.language_models import BaseChatModel
from langchain_core.messages import HumanMessage

from assistant.config import Settings
from assistant.llm import make_chat_model
from assistant.tokens import CALIBRATION_MARGIN, TokenCounter

SNAPSHOTS = Path(__file__).resolve().parents[1] / "tests" / "snapshots"


def reported_tokens(model: BaseChatModel, text: str) -> int:
    reply = model.invoke([HumanMessage(content=text)])
    return int((reply.usage_metadata or {})["input_tokens"])


def _settings(url: str | None, model: str | None) -> Settings:
    settings = Settings()
    if url:
        settings = settings.model_copy(update={"model": "openai", "base_url": url, "model_name": model or "local"})
    if settings.model == "offline":
        sys.exit("set OTKLIK_MODEL (openai, gigachat, yandexgpt) and its settings, or pass --url and --model")
    return settings.model_copy(update={"max_tokens": 16})


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", help="an OpenAI-compatible server's /v1 URL (instead of OTKLIK_MODEL)")
    parser.add_argument("--model", help="the model name at --url")
    args = parser.parse_args(argv)
    settings = _settings(args.url, args.model)
    model, counter = make_chat_model(settings), TokenCounter(settings.tiktoken_cache_dir, factor=1.0)
    ratios = []
    for name in ("draft", "classify", "judge"):
        text = (SNAPSHOTS / f"prompt_{name}.txt").read_text(encoding="utf-8")
        theirs, ours = reported_tokens(model, text), counter.count(text)
        ratios.append(theirs / ours)
        print(f"{name:10} {settings.model} {theirs:6d}  o200k {ours:6d}  ratio {theirs / ours:.2f}")
    print(f"OTKLIK_TOKEN_SAFETY_FACTOR={max(1.0, round(max(ratios) * CALIBRATION_MARGIN, 2))}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
