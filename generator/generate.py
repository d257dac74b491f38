"""Regenerate generated_client/ from openapi.yaml, or check that it is up to date.

Usage:
    python generator/generate.py           # rewrite generated_client/parallel_taskgroup_api
    python generator/generate.py --check   # regenerate into a temp folder and compare

Runs the pinned openapi-python-client with generator/config.yaml and the custom templates in
generator/templates/. The tools come from the same virtual environment as this interpreter.
openapi-python-client has no way to add a module of our own, so the modules in EXTRA_MODULES
(e.g. sse.py, from templates/sse.py.jinja) are rendered into the output folder first; the
generator leaves them there and its post hooks format them with everything else.
"""

from __future__ import annotations

import argparse
import filecmp
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import jinja2

ROOT = Path(__file__).resolve().parent.parent
SPEC = ROOT / "openapi.yaml"
CONFIG = ROOT / "generator" / "config.yaml"
TEMPLATES = ROOT / "generator" / "templates"
PACKAGE = "parallel_taskgroup_api"
TARGET = ROOT / "generated_client" / PACKAGE
# Modules of the package that no stock template makes: generator/templates/<name>.jinja.
EXTRA_MODULES = ("sse.py",)


def render_extra_modules(out: Path) -> None:
    """Write EXTRA_MODULES into `out`, with the Jinja settings openapi-python-client uses."""
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(TEMPLATES)),
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        autoescape=False,
    )
    out.mkdir(parents=True, exist_ok=True)
    for name in EXTRA_MODULES:
        text = env.get_template(name + ".jinja").render(package_name=PACKAGE)
        (out / name).write_text(text, encoding="utf-8")


def generate_into(out: Path, spec: Path = SPEC) -> None:
    """Run the generator on `spec` so that `out` becomes the generated package."""
    render_extra_modules(out)
    bin_dir = Path(sys.executable).parent
    cmd = [
        str(bin_dir / "openapi-python-client"),
        "generate",
        "--path",
        str(spec),
        "--config",
        str(CONFIG),
        "--meta",
        "none",
        "--output-path",
        str(out),
        "--overwrite",
    ]
    if TEMPLATES.is_dir():
        cmd += ["--custom-template-path", str(TEMPLATES)]
    # The post hooks call `ruff`: make sure it is the pinned one next to this interpreter.
    env = dict(
        os.environ, PATH=f"{bin_dir}{os.pathsep}{os.environ.get('PATH', '')}", RUFF_NO_CACHE="true"
    )
    proc = subprocess.run(cmd, cwd=out.parent, env=env, capture_output=True, text=True)
    output = proc.stdout + proc.stderr
    if proc.returncode != 0 or "Warning" in output or "Error" in output:
        sys.stderr.write(output)
        raise SystemExit(
            f"generate: openapi-python-client failed or warned (exit {proc.returncode})"
        )
    (out / "py.typed").write_text("# Marker file for PEP 561\n")


def differences(left: Path, right: Path) -> list[str]:
    """Relative paths that differ between two trees (ignoring caches)."""
    found: list[str] = []

    def walk(cmp: filecmp.dircmp[str], prefix: str) -> None:
        for name in cmp.left_only + cmp.right_only:
            if name != "__pycache__":
                found.append(prefix + name)
        _, mismatch, errors = filecmp.cmpfiles(cmp.left, cmp.right, cmp.common_files, shallow=False)
        found.extend(prefix + name for name in mismatch + errors)
        for name, sub in cmp.subdirs.items():
            if name != "__pycache__":
                walk(sub, prefix + name + "/")

    walk(filecmp.dircmp(str(left), str(right)), "")
    return sorted(found)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Regenerate or check generated_client/.")
    parser.add_argument("--check", action="store_true", help="compare instead of rewriting")
    args = parser.parse_args(argv)

    with tempfile.TemporaryDirectory(prefix="tg-generate-") as tmp:
        fresh = Path(tmp) / PACKAGE
        generate_into(fresh)
        if args.check:
            if not TARGET.is_dir():
                print(
                    f"check-generated: {TARGET.relative_to(ROOT)} is missing; run `make generate`."
                )
                return 1
            diff = differences(fresh, TARGET)
            if diff:
                print(
                    "check-generated: generated_client/ is out of date with openapi.yaml "
                    "and generator/:"
                )
                for name in diff[:40]:
                    print(f"  {name}")
                print(
                    "Run `make generate` and commit the result "
                    "(never edit generated_client/ by hand)."
                )
                return 1
            print("check-generated: generated_client/ matches openapi.yaml and generator/.")
            return 0
        if TARGET.exists():
            shutil.rmtree(TARGET)
        TARGET.parent.mkdir(parents=True, exist_ok=True)
        shutil.copytree(fresh, TARGET, ignore=shutil.ignore_patterns("__pycache__"))
    print(f"generated {TARGET.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
