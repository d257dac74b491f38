#!/usr/bin/env bash
# Smoke-test the runtime on every Python 3.9-3.13 this machine has: install the package (runtime
# dependencies only, plus pytest and hypothesis) and run the unit tests, which need nothing else.
# Two interpreters at a time (this is mostly installing and waiting); their output is printed
# one after the other.
set -uo pipefail
cd "$(dirname "$0")/.."
logs=$(mktemp -d)
trap 'rm -rf "$logs"' EXIT

one() {  # one() MINOR PYTHON: install and test in .venv-py3MINOR; the exit status says how it went
    local minor=$1 py=$2 venv=".venv-py3$1"
    echo "== Python 3.$minor ($py)"
    if [ ! -x "$venv/bin/python" ]; then "$py" -m venv "$venv" || { echo "venv failed"; return 3; }; fi
    if ! "$venv/bin/python" -m pip install -q --disable-pip-version-check -e . pytest hypothesis \
        >"$venv/install.log" 2>&1; then
        echo "install failed on 3.$minor:"; tail -n 20 "$venv/install.log"; return 1
    fi
    "$venv/bin/python" -c "import parallel_taskgroup_api, parallel_taskgroup; from parallel_taskgroup_api.models import TaskRunEvent; print('imports ok')" || return 1
    HYPOTHESIS_PROFILE=ci "$venv/bin/python" -m pytest -q -p no:cacheprovider tests/unit
    local rc=$?
    if [ $rc -ne 0 ] && [ $rc -ne 5 ]; then return 1; fi
    return 0
}

for minor in 9 10 11 12 13; do
    py=""
    for cand in "$HOME"/.pyenv/versions/3."$minor"*/bin/python3 "$(command -v python3."$minor" || true)"; do
        if [ -n "$cand" ] && [ -x "$cand" ]; then py="$cand"; break; fi
    done
    if [ -z "$py" ]; then echo "skipped 3.$minor (not installed)" >"$logs/$minor.out"; echo 4 >"$logs/$minor.rc"; continue; fi
    ( one "$minor" "$py" >"$logs/$minor.out" 2>&1; echo $? >"$logs/$minor.rc" ) &
    while [ "$(jobs -rp | wc -l)" -ge 2 ]; do sleep 0.2; done
done
wait

status=0
tested=()
skipped=()
for minor in 9 10 11 12 13; do
    cat "$logs/$minor.out"
    case "$(cat "$logs/$minor.rc")" in
        0) tested+=("3.$minor") ;;
        3) skipped+=("3.$minor (venv failed)") ;;
        4) skipped+=("3.$minor (not installed)") ;;
        *) status=1; tested+=("3.$minor (FAILED)") ;;
    esac
done
echo "Pythons tested: ${tested[*]:-none}"
[ ${#skipped[@]} -eq 0 ] || echo "Pythons skipped: ${skipped[*]}"
exit $status
