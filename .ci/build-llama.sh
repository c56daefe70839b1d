#!/usr/bin/env bash
# Build the llama-cpp-python wheel once per machine into the user's cache directory (the
# wheel is not on PyPI). Portable flags: the native build crashes on AMX CPUs. Only what the
# Python bindings load is compiled (about 3 min on 2 cores instead of 6-9): the multimodal
# library (LLAVA_BUILD) is left out, Otklik sends text only, and so is llama.cpp's `common`
# library, half of the compile, which the sdist forces on for llama.cpp's own tools though the
# bindings never load it. Needs only a system Python with pip (not the project's venv), so .ci/run
# starts it while the venv installs. Concurrent callers wait for one build (flock). Prints the
# wheel's path.
set -euo pipefail
cd "$(dirname "$0")/.."
LLAMA_VERSION=0.3.36
PY="${PYTHON:-python3}"
CACHE="${XDG_CACHE_HOME:-$HOME/.cache}/otklik/wheels"
mkdir -p "$CACHE"
exec 9>"$CACHE/.build.lock"
flock 9
wheel=$(ls "$CACHE"/llama_cpp_python-"$LLAMA_VERSION"-*.whl 2>/dev/null | head -1 || true)
if [[ -z "$wheel" ]]; then
  started=$SECONDS
  echo "::: building llama-cpp-python $LLAMA_VERSION" >&2
  work=$(mktemp -d)
  trap 'rm -rf "$work"' EXIT
  "$PY" -m pip download --quiet --no-deps --no-binary :all: -d "$work" "llama-cpp-python==$LLAMA_VERSION" >&2
  tar xzf "$work/llama_cpp_python-$LLAMA_VERSION.tar.gz" -C "$work"
  src="$work/llama_cpp_python-$LLAMA_VERSION"
  sed -i 's/set(LLAMA_BUILD_COMMON ON CACHE/set(LLAMA_BUILD_COMMON OFF CACHE/' "$src/CMakeLists.txt"
  if grep -q 'set(LLAMA_BUILD_COMMON ON' "$src/CMakeLists.txt"; then
    echo "::: llama-cpp-python $LLAMA_VERSION: could not turn off the common library" >&2
    exit 1
  fi
  CMAKE_ARGS="-DGGML_NATIVE=OFF -DGGML_AVX=ON -DGGML_AVX2=ON -DGGML_FMA=ON -DGGML_F16C=ON -DGGML_BMI2=ON -DLLAMA_BUILD_TESTS=OFF -DLLAMA_BUILD_EXAMPLES=OFF -DLLAVA_BUILD=OFF" \
    "$PY" -m pip wheel --quiet --no-deps -w "$CACHE" "$src" >&2
  wheel=$(ls "$CACHE"/llama_cpp_python-"$LLAMA_VERSION"-*.whl | head -1)
  echo "::: built llama-cpp-python in $((SECONDS - started)) s" >&2
fi
echo "$wheel"
