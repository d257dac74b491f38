#!/usr/bin/env bash
# Smoke-test the runtime on every Python 3.9-3.13 this machine has: install the package (runtime
# dependencies only, plus pytest and hypothesis) and run the unit tests, which need nothing else.
set -uo pipefail
cd "$(dirname "$0")/.."
status=0
tested=()
skipped=()
for minor in 9 10 11 12 13; do
    py=""
    for cand in "$HOME"/.pyenv/versions/3."$minor"*/bin/python3 "$(command -v python3."$minor" || true)"; do
        if [ -n "$cand" ] && [ -x "$cand" ]; then py="$cand"; break; fi
    done
    if [ -z "$py" ]; then skipped+=("3.$minor (not installed)"); continue; fi
    venv=".venv-py3$minor"
    if [ ! -x "$venv/bin/python" ]; then "$py" -m venv "$venv" || { skipped+=("3.$minor (venv failed)"); continue; }; fi
    echo "== Python 3.$minor ($py)"
    if ! "$venv/bin/python" -m pip install -q --disable-pip-version-check -e . pytest hypothesis >"$venv/install.log" 2>&1; then
        echo "install failed on 3.$minor:"; tail -n 20 "$venv/install.log"; status=1; continue
    fi
    if ! "$venv/bin/python" -c "import parallel_taskgroup_api, parallel_taskgroup; from parallel_taskgroup_api.models import TaskRunEvent; print('imports ok')"; then
        status=1; continue
    fi
    HYPOTHESIS_PROFILE=ci "$venv/bin/python" -m pytest -q -p no:cacheprovider tests/unit
    rc=$?
    if [ $rc -ne 0 ] && [ $rc -ne 5 ]; then status=1; fi
    tested+=("3.$minor")
done
echo "Pythons tested: ${tested[*]:-none}"
[ ${#skipped[@]} -eq 0 ] || echo "Pythons skipped: ${skipped[*]}"
exit $status
