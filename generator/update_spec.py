"""Re-slice openapi.yaml from an upstream document and report what changed (`make update-spec`).

Usage: python generator/update_spec.py UPSTREAM [--previous FILE] [--json FILE] [--root DIR]

1. Saves the current openapi.yaml and generator/upstream_operations.yaml beside --previous
   (default .venv/openapi.previous.yaml and .venv/upstream_operations.previous.yaml), so that
   `make spec-report` can print the report again.
2. Slices UPSTREAM with generator/overlay.yaml (slice_spec.py) and writes openapi.yaml, the
   record and the upstream copy (generator/upstream/parallel-openapi.json: UPSTREAM itself,
   which the tests and tools/spec_drill.py check openapi.yaml against). When the slice stops
   (an overlay operation upstream no longer has), all three are left as they were, the report
   still says what upstream changed, and the exit status is 2.
3. Prints spec_report.py's report (old slice and record -> new ones); --json also writes it as
   JSON to FILE, for CI.

--root runs it on another copy of the repository (tools/spec_drill.py uses a temporary one).
"""

from __future__ import annotations

import argparse
import json
import shutil
import sys
from pathlib import Path
from typing import Any, Optional

import slice_spec
import spec_report
import yaml

HERE = Path(__file__).resolve().parent


def update(root: Path, upstream_source: str, previous: Path) -> tuple[int, list[Any], str]:
    """(exit status, the report's changes, the slice's error message or "")."""
    spec, record = root / "openapi.yaml", root / "generator" / "upstream_operations.yaml"
    previous.parent.mkdir(parents=True, exist_ok=True)
    previous_record = previous.with_name("upstream_operations.previous.yaml")
    shutil.copyfile(spec, previous)
    if record.is_file():
        shutil.copyfile(record, previous_record)
    else:
        previous_record.write_text("operations: {}\n", encoding="utf-8")
    overlay = yaml.safe_load((root / "generator" / "overlay.yaml").read_text(encoding="utf-8"))
    source_text = slice_spec.read_source(upstream_source)
    upstream = slice_spec.parse_document(source_text, upstream_source)
    new_record = slice_spec.upstream_operations(upstream, overlay)
    old_doc = spec_report.load(str(previous))
    error = ""
    try:
        new_doc = slice_spec.slice_spec(upstream, overlay)
    except slice_spec.SliceError as exc:
        error, new_doc = str(exc), old_doc
    changes = spec_report.report(
        old_doc,
        new_doc,
        upstream_old=spec_report.load(str(previous_record)),
        upstream_new=new_record,
        uses=spec_report.WrapperUses.load(root / "generator" / "wrapper_uses.yaml"),
        essential=spec_report.load_essential(
            root / "generator" / "templates" / "essential_fields.jinja"
        ),
    )
    if not error:
        texts = {
            spec: slice_spec.render_slice(new_doc),
            record: slice_spec.render_record(new_record),
            root / slice_spec.UPSTREAM_COPY: slice_spec.render_upstream_copy(source_text),
        }
        for path, text in texts.items():
            slice_spec.write_atomically(path, text)
    return (2 if error else 0), changes, error


def main(argv: Optional[list[str]] = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("upstream", help="path or URL of Parallel's OpenAPI document")
    parser.add_argument("--root", default=str(HERE.parent), help="the repository to update")
    parser.add_argument("--previous", help="where to keep the previous openapi.yaml")
    parser.add_argument("--json", dest="json_out", help="also write the report as JSON here")
    args = parser.parse_args(argv)
    root = Path(args.root).resolve()
    previous = Path(args.previous or root / ".venv" / "openapi.previous.yaml")
    try:
        status, changes, error = update(root, args.upstream, previous)
    except (slice_spec.SliceError, OSError, ValueError, yaml.YAMLError) as exc:
        print(f"update_spec: {exc}", file=sys.stderr)
        return 2
    print(spec_report.render(changes, str(previous), "the new slice"))
    if args.json_out:
        data = spec_report.as_json(changes, str(previous), str(root / "openapi.yaml"))
        data["slice_error"] = error or None
        Path(args.json_out).write_text(json.dumps(data, indent=2) + "\n", encoding="utf-8")
    if error:
        print(f"slice_spec: {error}", file=sys.stderr)
        print(
            f"openapi.yaml, the record and {slice_spec.UPSTREAM_COPY} were left as they were.",
            file=sys.stderr,
        )
        return status
    print(f"wrote {root / 'openapi.yaml'}, the record and {slice_spec.UPSTREAM_COPY}.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
