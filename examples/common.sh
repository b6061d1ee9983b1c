# Shared set-up of the examples' run.sh scripts (sourced, not run). Sets:
#   example  the calling example's folder      root  the repository root (the cwd afterwards)
#   py       the python to use                 archgate, has_command, section: helpers
# The caller sets ARCHGATE_PIP_ARGS (what to pip install) before sourcing. Unless
# ARCHGATE_EXAMPLE_NO_INSTALL=1, a .venv at the repository root is created and used; otherwise
# the python on PATH is (CI activates its own venv).

example="$(cd "$(dirname "${BASH_SOURCE[1]}")" && pwd)"
root="$(cd "$example/../.." && pwd)"
cd "$root"

section() { printf '\n==================== %s ====================\n' "$*"; }

if [ "${ARCHGATE_EXAMPLE_NO_INSTALL:-0}" != "1" ]; then
  section "install into $root/.venv"
  [ -x .venv/bin/python ] || python3 -m venv .venv
  export PIP_DISABLE_PIP_VERSION_CHECK=1
  if [ "${ARCHGATE_NEEDS_TORCH:-0}" = "1" ]; then
    .venv/bin/python -m pip install -q torch==2.13.0 # the CPU build; unpinned pulls CUDA wheels
  fi
  if [ -n "${ARCHGATE_PIP_ARGS:-}" ]; then
    set -f  # split the argument list on spaces, but never glob it
    # shellcheck disable=SC2086
    .venv/bin/python -m pip install -q $ARCHGATE_PIP_ARGS
    set +f
  else
    .venv/bin/python -m pip install -q -e '.[dev]'
  fi
  py="$root/.venv/bin/python"
else
  py="$(command -v python || command -v python3)"
fi

archgate() { "$py" -m pytest_archgate.cli.main "$@"; }
has_command() { archgate "$1" --help >/dev/null 2>&1; }
mkdir -p "$example/out"
