"""How many of a server's tokens one o200k token costs on our prompts (the token safety factor).

    python benchmarks/token_factor.py --url http://127.0.0.1:8011/v1 --model smollm2

Sends the prompt snapshots (tests/snapshots/prompt_*.txt: the draft, classify and judge
prompts rendered with fixture data) to an OpenAI-compatible server with max_tokens 1 and
compares the prompt tokens it reports with our own o200k count. Use the highest ratio (with
a little margin) as OTKLIK_TOKEN_SAFETY_FACTOR for that model; Otklik also raises the factor
by itself when a server reports more tokens than it counted.
"""

from __future__ import annotations

import argparse
import json
import sys
import urllib.request
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from assistant.config import Settings
from assistant.tokens import TokenCounter

SNAPSHOTS = Path(__file__).resolve().parents[1] / "tests" / "snapshots"


def reported_tokens(url: str, model: str, text: str) -> int:
    body = json.dumps({"model": model, "messages": [{"role": "user", "content": text}], "max_tokens": 1}).encode()
    request = urllib.request.Request(f"{url}/chat/completions", body, {"Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=300) as response:
        return int(json.load(response)["usage"]["prompt_tokens"])


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", required=True, help="the server's /v1 URL")
    parser.add_argument("--model", required=True)
    args = parser.parse_args()
    counter = TokenCounter(Settings().tiktoken_cache_dir, factor=1.0)
    for name in ("draft", "classify", "judge"):
        text = (SNAPSHOTS / f"prompt_{name}.txt").read_text(encoding="utf-8")
        theirs, ours = reported_tokens(args.url.rstrip("/"), args.model, text), counter.count(text)
        print(f"{name:10} server {theirs:6d}  o200k {ours:6d}  ratio {theirs / ours:.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
