"""schemathesis stateful run against a running emulator: create group -> add runs -> read.

The chains follow the OpenAPI links that generator/overlay.yaml adds to openapi.yaml (create
group links its taskgroup_id to the group operations; add runs links run_ids[0] and its cursors to
the run reads and streams; create run links run_id). Every response on the way must conform to
the document (status, content type, headers, body schema) and none may be a 5xx. The spec is
the same emulator view the stateless test uses (test_schemathesis.spec_for_emulator).
"""

from __future__ import annotations

import os
from collections import Counter
from typing import Any

import hypothesis
import pytest
import schemathesis
from schemathesis.specs.openapi.checks import negative_data_rejection, positive_data_acceptance
from taskgroup_emulator.testing import EmulatorServer
from test_schemathesis import spec_for_emulator

pytestmark = pytest.mark.integration

SCENARIOS = int(os.environ.get("EMULATOR_STATEFUL_SCENARIOS", "15"))
STEPS = int(os.environ.get("EMULATOR_STATEFUL_STEPS", "8"))


def test_stateful_create_add_read_conforms_to_openapi() -> None:
    seen: Counter[tuple[str, int]] = Counter()
    with EmulatorServer(time_scale=0.002, api_keys=["stateful-key"]) as emu:
        schema = schemathesis.openapi.from_dict(spec_for_emulator())
        schema.config.update(base_url=emu.base_url)
        base: Any = schema.as_state_machine()
        key = emu.api_key

        class Machine(base):  # type: ignore[misc, valid-type]
            def get_call_kwargs(self, case: Any) -> dict[str, Any]:
                # Passed per call (not as config) so the auth checks know the key is real.
                return {"headers": {"x-api-key": key}}

            def validate_response(
                self, response: Any, case: Any, additional_checks: Any = None, **kwargs: Any
            ) -> None:
                # Every check but "valid data is accepted": a result read answers 408 while its
                # run is still active, which that check counts as a rejection (a timing race);
                # and "invalid data is rejected": a negative case that drops the API key and adds
                # unknown query parameters is sent with the key (given per call above), and
                # unknown query parameters are ignored, as the real API's framework does. The
                # stateless run (test_schemathesis.py) checks that rejection on every operation.
                case.validate_response(
                    response,
                    additional_checks=additional_checks,
                    excluded_checks=[positive_data_acceptance, negative_data_rejection],
                    transport_kwargs=kwargs,
                )

            def after_call(self, response: Any, case: Any) -> None:
                super().after_call(response, case)
                seen[(case.operation.definition.raw["operationId"], response.status_code)] += 1

        Machine.run(
            settings=hypothesis.settings(
                max_examples=SCENARIOS,
                stateful_step_count=STEPS,
                deadline=None,
                database=None,
                derandomize=True,
                phases=[hypothesis.Phase.generate],
                suppress_health_check=list(hypothesis.HealthCheck),
            )
        )
        server_log = emu.stderr()
    assert "Traceback" not in server_log, server_log
    assert not [key for key in seen if key[1] >= 500], seen
    # The chain really ran: groups were created, runs added to them, and linked reads answered.
    assert seen[("create_task_group", 200)] > 0, seen
    assert seen[("add_task_group_runs", 200)] > 0, seen
    linked_reads = {"get_task_group", "get_task_group_run", "get_task_run", "get_task_run_input"}
    assert any(op in linked_reads and status == 200 for op, status in seen), seen
