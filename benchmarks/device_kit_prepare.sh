#!/usr/bin/env bash
# Download, here (with package access), the pure-Python wheels that the device kit
# and the test suite need on the GPU machine, which has CuPy, PyTorch, JAX, NumPy,
# SciPy, scikit-learn, pandas, hypothesis and pytest but no package access.
# They land in .whl/ at the repository root (ignored by git) and travel with the
# device tool's `carry: [".whl"]`. gpuimb itself travels as the working tree.
# Usage: bash benchmarks/device_kit_prepare.sh   (then paste the printed command)
set -euo pipefail
cd "$(dirname "$0")/.."

WHEELS=(
  imbalanced-learn==0.14.2   # the reference the tests compare with
  sklearn-compat==0.1.6      # imbalanced-learn's one dependency the device lacks
  array-api-compat==1.16.0   # gpuimb's dependency
  array-api-strict==2.6.1    # the strict-device tests
)

mkdir -p .whl
python3 -m pip download -q --no-deps --only-binary=:all: --python-version 3.12 \
  --implementation cp --platform manylinux_2_28_x86_64 --platform manylinux_2_17_x86_64 \
  --platform manylinux2014_x86_64 -d .whl "${WHEELS[@]}"

# One wheel per project (two versions of one stop the whole install there),
# and only pure-Python ones (the device is x86-64 with Python 3.12).
status=0
for spec in "${WHEELS[@]}"; do
  name=${spec%%==*}; version=${spec##*==}; stem=${name//-/_}
  found=$(ls .whl | grep -i "^${stem}-[0-9]" || true)
  if [ "$(printf '%s\n' "$found" | grep -c .)" != 1 ] || ! grep -q -- "-${version}-" <<<"$found"; then
    echo "expected exactly .whl/${stem}-${version}-*.whl, found: ${found:-nothing}" >&2
    status=1
  fi
done
if ls .whl/*.whl | grep -v -- '-py3-none-any\.whl$' | grep -q .; then
  echo "note: .whl/ also holds wheels that are not pure Python:" >&2
  ls .whl/*.whl | grep -v -- '-py3-none-any\.whl$' >&2
fi
[ "$status" = 0 ] || exit 1
du -sh .whl

cat <<'CMD'

Device tool: run with carry [".whl"] and timeout_s 540, command:

python3 -m pip install -q --no-index --no-deps --no-compile --no-cache-dir --upgrade --target /tmp/site .whl/*.whl && export PYTHONPATH=/tmp/site:$PWD PYTHONUNBUFFERED=1 && python3 -m benchmarks.device_kit --out $OUT/device_report.md
CMD
