#!/usr/bin/env bash
# The framework-choice example end to end: install (unless ARCHGATE_EXAMPLE_NO_INSTALL=1), train
# and measure the same MLP in PyTorch, JAX (when installed) and scikit-learn through pytest, list
# the ADR, print the options comparison and render the decision package. Works from any folder.
set -euo pipefail

ARCHGATE_NEEDS_TORCH=1
# shellcheck source=../common.sh
. "$(dirname "${BASH_SOURCE[0]}")/../common.sh"

section "pytest: the same MLP in pytorch, jax and sklearn"
"$py" -c 'import jax' 2>/dev/null || echo "(jax is not installed: its tests skip and ADR-0001 shows it unmeasured)"
start=$(date +%s)
"$py" -m pytest examples/framework_choice -q -p no:cacheprovider \
  --archgate-report="examples/framework_choice/out/report.json"
echo "pytest took $(($(date +%s) - start)) s"

cd "$example"

section "archgate list"
archgate list

section "options x criteria, and everything else measured (from out/report.json)"
"$py" ../options_table.py out/report.json

if archgate report --help >/dev/null 2>&1; then
  section "archgate report: decision package"
  archgate report out/report.json --html out/decision-package.html --md out/decision-package.md
else
  section "archgate report: not available in this version, skipped"
fi

section "done: report in $example/out/report.json"
