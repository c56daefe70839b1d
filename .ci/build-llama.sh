#!/usr/bin/env bash
# Build the llama-cpp-python wheel once per machine into the user's cache directory (the
# wheel is not on PyPI). Portable flags: the native build crashes on AMX CPUs; the multimodal
# library (LLAVA_BUILD) is left out: Otklik sends text only, and it is a third of the compile.
# Runs niced; concurrent callers wait for one build (flock). Prints the wheel's path.
set -euo pipefail
cd "$(dirname "$0")/.."
LLAMA_VERSION=0.3.36
CACHE="${XDG_CACHE_HOME:-$HOME/.cache}/otklik/wheels"
mkdir -p "$CACHE"
exec 9>"$CACHE/.build.lock"
flock 9
wheel=$(ls "$CACHE"/llama_cpp_python-"$LLAMA_VERSION"-*.whl 2>/dev/null | head -1 || true)
if [[ -z "$wheel" ]]; then
  started=$SECONDS
  echo "::: building llama-cpp-python $LLAMA_VERSION" >&2
  CMAKE_ARGS="-DGGML_NATIVE=OFF -DGGML_AVX=ON -DGGML_AVX2=ON -DGGML_FMA=ON -DGGML_F16C=ON -DGGML_BMI2=ON -DLLAMA_BUILD_TESTS=OFF -DLLAMA_BUILD_EXAMPLES=OFF -DLLAVA_BUILD=OFF" \
    nice -n 15 .venv/bin/python -m pip wheel --quiet --no-deps -w "$CACHE" "llama-cpp-python==$LLAMA_VERSION" >&2
  wheel=$(ls "$CACHE"/llama_cpp_python-"$LLAMA_VERSION"-*.whl | head -1)
  echo "::: built llama-cpp-python in $((SECONDS - started)) s" >&2
fi
echo "$wheel"
