#!/usr/bin/env bash
# The fraud-detection example end to end: install (unless ARCHGATE_EXAMPLE_NO_INSTALL=1), run
# the benchmark through pytest, list the ADRs, print the options comparison, render the decision
# package, and show what `archgate accept` would change in ADR-0002 (on a copy). Works from any
# folder. Exits non-zero if any step fails; proposed ADRs never fail the pytest run.
set -euo pipefail

ARCHGATE_NEEDS_TORCH=1
# shellcheck source=../common.sh
. "$(dirname "${BASH_SOURCE[0]}")/../common.sh"
report="$example/out/report.json"

section "pytest: benchmark xgboost, torch_mlp and logreg against the ADRs"
start=$(date +%s)
"$py" -m pytest examples/fraud_detection -q -p no:cacheprovider \
  --archgate-report="examples/fraud_detection/out/report.json"
echo "pytest took $(($(date +%s) - start)) s"

section "base-branch comparison (ADR-0003): this checkout plays the base branch, then two PRs"
scorer=examples/fraud_detection/tests/test_production_scorer.py
out=examples/fraud_detection/out/base-branch
"$py" -m pytest "$scorer" -q -p no:cacheprovider --archgate-report="$out/main.json"
echo "--- a PR that leaves the scorer as it is: must pass"
"$py" -m pytest "$scorer" -q -p no:cacheprovider --archgate-report="$out/pr-same.json" \
  --archgate-base-report="$out/main.json"
echo "--- a PR that drops the feature device_age_days: must fail the run"
set +e
FRAUD_DROP_FEATURE=device_age_days "$py" -m pytest "$scorer" -q -p no:cacheprovider \
  --archgate-report="$out/pr-drop.json" --archgate-base-report="$out/main.json"
rc=$?
set -e
if [ "$rc" -ne 1 ]; then
  echo "the regression should have failed the run (exit 1), got exit $rc" >&2
  exit 1
fi
echo "the regression failed the run, as it should"

cd "$example"

section "archgate list"
archgate list

section "options x criteria, and everything else measured (from out/report.json)"
"$py" ../options_table.py "$report"

if has_command report; then
  section "archgate report: decision package"
  archgate report out/report.json --html out/decision-package.html --md out/decision-package.md
  echo "written: $example/out/decision-package.html, $example/out/decision-package.md"
else
  section "archgate report: not available in this version, skipped"
fi

if has_command accept; then
  section "archgate accept ADR-0002 --option xgboost (on a copy of adr/)"
  scratch="$(mktemp -d)"
  trap 'rm -rf "$scratch"' EXIT
  cp -R adr "$scratch/adr"
  archgate accept ADR-0002 --option xgboost --report out/report.json --adr-dir "$scratch/adr"
  echo "--- what accepting would change (the committed ADR is untouched):"
  diff -u adr/0002-model-family-for-fraud-scoring.md \
    "$scratch/adr/0002-model-family-for-fraud-scoring.md" || true
else
  section "archgate accept: not available in this version, skipped"
fi

section "done: report in $report"
