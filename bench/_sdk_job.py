"""The job as Parallel's docs write it with the ``parallel-web`` SDK (the baselines of bench_job).

The Task Group guide (https://docs.parallel.ai/task-api/group-api): create a group, add the runs
in batches of up to 1,000 inputs (``{input, processor, metadata}``), then either

* ``events`` (the guide's "stream task-group events ... to also retrieve the task run result
  upon completion you can use the task run endpoint"): follow ``task_group.events()`` and, for
  each run that reaches a terminal state, ``task_run.result(run_id)``; the stream ends when the
  group is no longer active; or
* ``get_runs`` (the guide's Quick Start, "Monitor Progress" then "Retrieve Results"): poll the
  group's status every second until it is no longer active, then read every result, with its
  input, from one ``get_runs(include_input=True, include_output=True)`` stream (the docs'
  simplest script).

Each result is written as one JSON line. Each row's key travels in the run's metadata, as ours
does, so the lines can be joined to the rows.

Usage: python bench/_sdk_job.py events|get_runs ROWS.jsonl OUT.jsonl BASE_URL (with
PARALLEL_API_KEY in the environment). Prints one JSON line: client CPU seconds (user+sys of this
process), peak RSS (VmHWM), wall seconds, lines written.
"""

from __future__ import annotations

import json
import os
import resource
import sys
import time

import parallel

BATCH = 1000
POLL_SECONDS = 1.0


def main(mode: str, rows_path: str, out_path: str, base_url: str) -> None:
    started = time.perf_counter()
    client = parallel.Parallel(api_key=os.environ["PARALLEL_API_KEY"], base_url=base_url)
    group = client.task_group.create()
    group_id = group.taskgroup_id

    with open(rows_path, encoding="utf-8") as f:
        batch: list[dict[str, object]] = []
        for line in f:
            row = json.loads(line)
            batch.append(
                {"input": row, "processor": "lite", "metadata": {"row_key": str(row["id"])}}
            )
            if len(batch) == BATCH:
                client.task_group.add_runs(group_id, inputs=batch)  # type: ignore[arg-type]
                batch = []
        if batch:
            client.task_group.add_runs(group_id, inputs=batch)  # type: ignore[arg-type]

    lines = 0
    with open(out_path, "w", encoding="utf-8") as out:
        if mode == "events":
            done: set[str] = set()
            while True:
                for event in client.task_group.events(group_id):
                    if event.type != "task_run.state" or event.run.is_active:
                        continue
                    run = event.run
                    if run.run_id in done:
                        continue
                    done.add(run.run_id)
                    output = None
                    if run.status == "completed":
                        output = client.task_run.result(run.run_id).output.content
                    out.write(json.dumps(_record(run, output)) + "\n")
                    lines += 1
                if not client.task_group.retrieve(group_id).status.is_active:
                    break
        else:
            while client.task_group.retrieve(group_id).status.is_active:
                time.sleep(POLL_SECONDS)
            for event in client.task_group.get_runs(
                group_id, include_input=True, include_output=True
            ):
                if event.type != "task_run.state":
                    continue
                output = event.output
                content = output.content if output is not None else None
                record = _record(event.run, content)
                record["input"] = event.input.input if event.input is not None else None
                out.write(json.dumps(record) + "\n")
                lines += 1

    usage = resource.getrusage(resource.RUSAGE_SELF)
    with open("/proc/self/status", encoding="ascii") as status:
        hwm_kb = next(int(s.split()[1]) for s in status if s.startswith("VmHWM:"))
    print(
        json.dumps(
            {
                "cpu_s": usage.ru_utime + usage.ru_stime,
                "sys_s": usage.ru_stime,
                "peak_mib": hwm_kb / 1024,
                "wall_s": time.perf_counter() - started,
                "lines": lines,
                "exit": 0,
            }
        )
    )


def _record(run: object, output: object) -> dict[str, object]:
    error = getattr(run, "error", None)
    return {
        "key": (getattr(run, "metadata", None) or {}).get("row_key"),
        "status": getattr(run, "status", None),
        "run_id": getattr(run, "run_id", None),
        "output": output,
        "error": error.model_dump() if error is not None else None,
    }


if __name__ == "__main__":
    main(*sys.argv[1:5])
