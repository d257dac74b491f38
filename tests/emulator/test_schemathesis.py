"""schemathesis against a running emulator: every operation of openapi.yaml, bounded examples.

openapi.yaml is upstream's slice (its overlay already documents the 401/404/429 ErrorResponses
the service returns) and leaves some of upstream's behaviour in prose, so the copy given to
schemathesis states that prose as schema (nothing is loosened):
- metadata keys at most 16 characters and string values at most 512 (TaskRunInput docs);
- processor is one of the processors the service offers;
- last_event_id is an event id this server issued (lowercase hex); anything else is a 422;
- each text/event-stream response documents the JSON in an event's `data` line, which
  schemathesis reads as an OpenAPI 3.2 `itemSchema` with `contentSchema`.
"""

from __future__ import annotations

import copy
import os
import subprocess
import sys
from pathlib import Path
from typing import Any, Dict

import pytest
import yaml
from taskgroup_emulator.schedule import DOCUMENTED_SECONDS
from taskgroup_emulator.testing import EmulatorServer

pytestmark = pytest.mark.integration

ROOT = Path(__file__).resolve().parents[2]
MAX_EXAMPLES = os.environ.get("EMULATOR_SCHEMATHESIS_EXAMPLES", "12")


def spec_for_emulator() -> Dict[str, Any]:
    """openapi.yaml with upstream's prose constraints written as schema (see module doc)."""
    spec: Dict[str, Any] = copy.deepcopy(yaml.safe_load((ROOT / "openapi.yaml").read_text()))
    processors = [p for base in DOCUMENTED_SECONDS for p in (base, base + "-fast")]
    schemas = spec["components"]["schemas"]
    schemas["TaskRunInput"]["properties"]["processor"]["enum"] = processors
    for name in ("TaskRunInput", "CreateTaskGroupRequest"):
        meta = schemas[name]["properties"]["metadata"]["anyOf"][0]
        meta["propertyNames"] = {"maxLength": 16}
        meta["additionalProperties"]["anyOf"][0]["maxLength"] = 512
    for item in spec["paths"].values():
        for op in item.values():
            responses = op["responses"]
            for param in op.get("parameters", []):
                if param["name"] == "last_event_id":
                    param["schema"]["anyOf"][0]["pattern"] = "^[0-9a-f]{0,16}$"
            ok = responses.get("200", {}).get("content", {})
            if "text/event-stream" in ok:
                event = ok["text/event-stream"].pop("schema")
                ok["text/event-stream"].pop("example", None)
                ok["text/event-stream"]["itemSchema"] = {
                    "type": "object",
                    "required": ["data"],
                    "properties": {
                        "data": {
                            "type": "string",
                            "contentMediaType": "application/json",
                            "contentSchema": event,
                        }
                    },
                }
    return spec


def test_schemathesis_finds_no_failures_on_any_operation(tmp_path: Path) -> None:
    spec_path = tmp_path / "openapi.emulator.yaml"
    spec_path.write_text(yaml.safe_dump(spec_for_emulator(), sort_keys=False))
    with EmulatorServer(time_scale=0.002, api_keys=["st-key"]) as emu:
        result = subprocess.run(
            [
                sys.executable,
                "-m",
                "schemathesis.cli",
                "run",
                str(spec_path),
                "--url",
                emu.base_url,
                "-H",
                f"x-api-key: {emu.api_key}",
                "--max-examples",
                MAX_EXAMPLES,
                "--seed",
                "7",
                "--no-color",
                "--workers",
                "2",
                "--suppress-health-check",
                "all",
                # The stateful phase lives in test_schemathesis_stateful.py: there a result
                # read may answer 408 while its run is still active, a timing race that the
                # "valid data is accepted" check counts as a failure.
                "--phases",
                "examples,coverage,fuzzing",
            ],
            capture_output=True,
            text=True,
            timeout=300,
            cwd=tmp_path,
        )
        server_log = emu.stderr()
    report = result.stdout + result.stderr
    assert result.returncode == 0, report[-12000:] + "\n--- emulator stderr ---\n" + server_log
    assert "Selected: 11/11" in report and "Tested: 11" in report, report[-3000:]
    assert "Traceback" not in server_log, server_log
