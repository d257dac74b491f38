"""Every finished run of an existing group, written to a results file (``taskgroup results``)."""

from __future__ import annotations

import attrs

from .._status import active_runs
from ..client import Client
from .outputs import ResultsWriter, output_format
from .records import result_record

__all__ = ["ExportReport", "export_results"]

FLUSH_LINES = 500


@attrs.frozen
class ExportReport:
    """What an export wrote: new lines, the file's failed lines, and runs still active."""

    group_id: str
    written: int
    failed: int
    active: int


def export_results(
    client: Client,
    group_id: str,
    *,
    out: str,
    include_basis: bool = False,
    follow: bool = False,
) -> ExportReport:
    """Append a line to ``out`` (JSONL or CSV) for every finished run of the group not in it yet,
    from one snapshot of the group's runs with inputs and outputs; with ``follow``, wait for
    active runs and write them as they finish."""
    group = client.group(group_id)
    info = group.refresh()  # a wrong key, unknown group or unreachable server fails here
    with ResultsWriter(out, output_format(out, None), include_basis) as writer:
        before = len(writer.keys)
        for result in group.results(follow=follow, include_input=True):
            writer.write(result_record(result, include_basis=include_basis))
            if writer.pending >= FLUSH_LINES:
                writer.flush()
        writer.flush()
        written = len(writer.keys) - before
        failed = sum(n for s, n in writer.status_counts.items() if s != "completed")
    active = 0 if follow else active_runs(info.status)
    return ExportReport(group_id=group.id, written=written, failed=failed, active=active)
