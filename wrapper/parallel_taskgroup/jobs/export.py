"""Every finished run of an existing group, written to a results file (``taskgroup results``)."""

from __future__ import annotations

import json
import os
import tempfile
from collections.abc import Iterator
from typing import Any, Optional

import attrs

from .._status import active_runs
from ..client import Client
from ..errors import ParallelError, ResultsFileError
from ..wait import ProgressCallback
from .records import result_record
from .results_file import ResultsLayout, read_records, writable_format, write_results
from .state import default_state_path

__all__ = ["ExportReport", "export_results"]


@attrs.frozen
class ExportReport:
    """What an export wrote: new lines, all lines, the failed ones, and runs still active."""

    group_id: str
    written: int
    lines: int
    failed: int
    active: int


def export_results(
    client: Client,
    group_id: str,
    *,
    out: str,
    include_basis: bool = False,
    wait: bool = False,
    overwrite: bool = False,
    on_progress: Optional[ProgressCallback] = None,
) -> ExportReport:
    """Write ``out`` (JSONL, CSV or Parquet) with a line for every finished run of the group,
    failures included, from one snapshot of its runs with their inputs and outputs. With
    ``wait``, first wait until no run is active (``on_progress`` receives each status of the
    group meanwhile, as :meth:`TaskGroup.wait` gives it). ``written`` counts lines whose key
    the file did not have before. ``out``'s folders are created; an existing ``out`` is
    replaced only if it holds this group's results (or with ``overwrite``): ResultsFileError
    otherwise."""
    fmt = writable_format(out)
    known = set() if overwrite else _own_keys(out, fmt, group_id)
    group = client.group(group_id)
    info = group.refresh()  # a wrong key, unknown group or unreachable server fails here
    status = group.wait(on_progress=on_progress) if wait else info.status
    os.makedirs(os.path.dirname(os.path.abspath(out)), exist_ok=True)
    columns: dict[str, None] = {}
    fields: dict[str, None] = {}
    strings = texts = False
    counts = {"written": 0, "failed": 0, "lines": 0}
    directory = os.path.dirname(os.path.abspath(out))
    with tempfile.TemporaryFile("w+", encoding="utf-8", dir=directory) as spool:
        for result in group.results(follow=False, include_input=True):
            record = result_record(result, group_id=group.id)
            if not include_basis:
                record.pop("basis", None)
            counts["lines"] += 1
            counts["written"] += record["key"] not in known
            counts["failed"] += record["status"] != "completed"
            value, output = record["input"], record["output"]
            if isinstance(value, dict):
                columns.update(dict.fromkeys(value))
            else:
                strings = True
            if isinstance(output, dict):
                fields.update(dict.fromkeys(output))
            elif output is not None:
                texts = True
            spool.write(json.dumps(record, ensure_ascii=False) + "\n")
        spool.seek(0)
        layout = ResultsLayout(
            None if strings or not columns else tuple(columns),
            None if texts or not fields else tuple((name, "any") for name in fields),
            include_basis,
        )
        write_results(out, _lines(spool), fmt=fmt, layout=layout)
    active = 0 if wait else active_runs(status)
    return ExportReport(group.id, counts["written"], counts["lines"], counts["failed"], active)


def _own_keys(out: str, fmt: str, group_id: str) -> set[str]:
    """The row keys of ``out`` when it holds results of ``group_id`` only (empty if there is
    no such file); ResultsFileError when it holds anything else."""
    if not os.path.exists(out) or os.path.getsize(out) == 0:
        return set()
    if os.path.exists(default_state_path(out)):
        # A job's file holds one line per row (the latest of its attempts), in input order;
        # a line per run written over it would break both until the job's next session.
        raise ResultsFileError(
            f"{out} is the results file of a 'taskgroup run' job ({default_state_path(out)} is "
            "beside it): choose another --out (run that job's command again to update its "
            "file), or pass --overwrite to replace it"
        )
    try:
        found = [(r.get("group_id"), str(r.get("key"))) for r in read_records(out, fmt=fmt)]
    except (ParallelError, ValueError, KeyError, TypeError, AttributeError) as exc:
        raise ResultsFileError(
            f"{out} exists and is not a results file taskgroup wrote ({exc}); choose another "
            "--out, or pass --overwrite to replace it"
        ) from None
    others = sorted({str(g) for g, _ in found if g != group_id})
    if others:
        what = f"results of group {others[0]}" if others[0] != "None" else "results of no group"
        raise ResultsFileError(
            f"{out} holds {what}, not of {group_id}: choose another --out, or pass --overwrite "
            "to replace it"
        )
    return {key for _, key in found}


def _lines(spool: Any) -> Iterator[dict[str, Any]]:
    for line in spool:
        yield json.loads(line)
