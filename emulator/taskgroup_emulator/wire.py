"""How event ids, SSE frames and run objects look on the wire.

The documented wire (the default): frames are `event: TYPE\\ndata: JSON\\n\\n` with no `id:`
line, the JSON `event_id` is the cursor (lowercase hex of a microsecond stamp), and a share
of runs (`old_shape_rate`) is rendered in the older documented shape. The legacy wire
(`--legacy-wire`) adds `id:` lines and uses 16-digit decimal cursors.
"""

from __future__ import annotations

from typing import Callable, List, Optional, Sequence

from .ids import format_cursor, format_event_id, parse_cursor, parse_event_id
from .schedule import stable_unit
from .store import EventRow, Run, run_json

KEEPALIVE = ": keep-alive\n\n"
OLD_SHAPE_OMITS = ("interaction_id",)  # TaskRun fields the older shape does not have
_RUN_HEAD = '{"type":"task_run.state","event_id":"'


def old_shape(run_id: str, text: str, failed: bool) -> str:
    """A run object (as `store.run_json` writes it) in the older documented shape.

    No `interaction_id`; `warnings` and `error` present as explicit null (a failed run keeps
    its error object). Works on the text, whose prefix `store.run_json` fixes.
    """
    prefix = '{"run_id":"' + run_id + '","interaction_id":"' + run_id + '",'
    if not text.startswith(prefix):
        return text
    tail = ',"warnings":null}' if failed else ',"warnings":null,"error":null}'
    return '{"run_id":"' + run_id + '",' + text[len(prefix) : -1] + tail


def error_frame(ref_id: str, message: str) -> str:
    """An `error` event: no event id, so it never moves a cursor."""
    return (
        'event: error\ndata: {"type":"error","error":{"ref_id":"'
        + ref_id
        + '","message":"'
        + message
        + '"}}\n\n'
    )


class Wire:
    """Renders ids, runs and frames for one server's settings."""

    def __init__(self, legacy: bool = False, old_shape_rate: float = 0.0) -> None:
        self.legacy = legacy
        self.old_shape_rate = old_shape_rate
        self.event_id: Callable[[int], str] = format_cursor if legacy else format_event_id
        self.parse_event_id: Callable[[str], Optional[int]] = (
            parse_cursor if legacy else parse_event_id
        )

    def is_old_shape(self, run_id: str) -> bool:
        """Whether this run is rendered in the older shape (a stable share of run ids)."""
        rate = self.old_shape_rate
        return rate > 0 and stable_unit(run_id, "old-shape") < rate

    def run(self, run: Run) -> str:
        """The TaskRun JSON text of a run."""
        return self.run_text(run.id, run_json(run), run.error_json is not None)

    def run_text(self, run_id: str, text: str, failed: bool) -> str:
        """Stored run JSON text, reshaped when this run id gets the older shape."""
        return old_shape(run_id, text, failed) if self.is_old_shape(run_id) else text

    def _head(self, kind: str, eid: str) -> str:
        if self.legacy:
            return f"event: {kind}\nid: {eid}\ndata: " + '{"type":"' + kind + '","event_id":"' + eid
        return f"event: {kind}\ndata: " + '{"type":"' + kind + '","event_id":"' + eid

    def run_frames(
        self, runs: Sequence[Run], include_input: bool, include_output: bool
    ) -> List[str]:
        """One `task_run.state` frame per run of the `/runs` snapshot."""
        reshape = self.old_shape_rate > 0
        legacy, event_id = self.legacy, self.event_id
        frames: List[str] = []
        for run in runs:
            text = run_json(run)
            if reshape:
                text = self.run_text(run.id, text, run.error_json is not None)
            eid = event_id(run.seq)
            if legacy:
                parts = ["event: task_run.state\nid: ", eid, "\ndata: ", _RUN_HEAD, eid]
            else:
                parts = ["event: task_run.state\ndata: ", _RUN_HEAD, eid]
            parts += ['","run":', text]
            if include_input:
                parts += [',"input":', run.input_json]
            if include_output and run.output_json is not None and run.status == "completed":
                parts += [',"output":', run.output_json]
            parts.append("}\n\n")
            frames.append("".join(parts))
        return frames

    def event_frames(self, rows: Sequence[EventRow]) -> List[str]:
        """Frames of `/events` rows; input/output appear only when the rows carry them."""
        reshape = self.old_shape_rate > 0
        frames: List[str] = []
        for seq, kind, payload, run_id, error_json, input_json, output_json, status in rows:
            head = self._head(kind, self.event_id(seq))
            if kind == "task_group_status":
                frames.append(head + '","status":' + payload + "}\n\n")
                continue
            if reshape and run_id is not None:
                payload = self.run_text(run_id, payload, error_json is not None)
            parts = [head, '","run":', payload]
            if input_json is not None:
                parts += [',"input":', input_json]
            if output_json is not None and status == "completed":
                parts += [',"output":', output_json]
            parts.append("}\n\n")
            frames.append("".join(parts))
        return frames
