#!/usr/bin/env bash
# The LLM-adaptation example end to end: install (unless ARCHGATE_EXAMPLE_NO_INSTALL=1), run the
# benchmark of rag, fine_tuned and prompting through pytest (the options table is printed in
# pytest's archgate section), list the ADRs, render the decision package, and show what
# `archgate accept` would change in ADR-0002 (on a copy), each when this version of archgate has
# the command. Works from any folder; fully offline once installed; CPU only. Exits non-zero if
# any step fails; the proposed ADR-0002 never fails the pytest run.
set -euo pipefail

ARCHGATE_PIP_ARGS='-e . scikit-learn>=1.3'  # the plugin and scikit-learn: no torch, no LLM, no network
# shellcheck source=../common.sh
. "$(dirname "${BASH_SOURCE[0]}")/../common.sh"
report="$example/out/report.json"

section "pytest: benchmark rag, fine_tuned and prompting against the ADRs"
start=$(date +%s)
"$py" -m pytest examples/llm_adaptation -q -p no:cacheprovider \
  --archgate-report="examples/llm_adaptation/out/report.json"
echo "pytest took $(($(date +%s) - start)) s"

cd "$example"

section "archgate list"
archgate list

if has_command report; then
  section "archgate report: decision package"
  archgate report out/report.json --html out/decision-package.html
  echo "written: $example/out/decision-package.html"
else
  section "archgate report: not available in this version, skipped"
fi

if has_command accept; then
  section "archgate accept ADR-0002 --option rag (on a copy of adr/)"
  scratch="$(mktemp -d)"
  trap 'rm -rf "$scratch"' EXIT
  cp -R adr "$scratch/adr"
  archgate accept ADR-0002 --option rag --report out/report.json --adr-dir "$scratch/adr"
  echo "--- what accepting would change (the committed ADR is untouched):"
  diff -u adr/0002-adapt-the-support-assistant.md \
    "$scratch/adr/0002-adapt-the-support-assistant.md" || true
else
  section "archgate accept: not available in this version, skipped"
fi

section "done: report in $report"
