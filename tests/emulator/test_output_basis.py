"""The basis of emulated outputs: confidence proportions, citations, per-element entries."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections import Counter
from functools import cache
from typing import Any, Callable, Dict, List, Tuple

import pytest
from emulator_helpers import add_runs, client_for, new_group
from hypothesis import given
from hypothesis import strategies as st
from jsonschema import Draft202012Validator
from taskgroup_emulator.contract import Contract
from taskgroup_emulator.outputs import (
    CONFIDENCE_SHARES,
    DEFAULT_PROCESSOR,
    NO_CITATIONS,
    build_output,
    confidence_shares,
)
from taskgroup_emulator.testing import EmulatorServer

LEVELS = ("high", "medium", "low")
RANK = {"low": 0, "medium": 1, "high": 2}
TIERS = list(CONFIDENCE_SHARES)  # weakest to strongest
PROCESSORS = TIERS + [f"{t}-fast" for t in TIERS]
OUTPUTS = 2000
SHARE_TOLERANCE = 0.02

COMPANY: Dict[str, Any] = {
    "type": "object",
    "properties": {
        "ceo": {"type": "string"},
        "founded": {"type": "integer", "minimum": 1800, "maximum": 2025},
        "hq_city": {"type": "string"},
        "segments": {"type": "array", "items": {"type": "string"}, "minItems": 2},
    },
    "required": ["ceo", "founded", "hq_city", "segments"],
}
COMPANY_SPEC = {"output_schema": {"type": "json", "json_schema": COMPANY}}
TEXT_SPEC = {"output_schema": {"type": "text", "description": "A short summary"}}

names = st.text(st.characters(categories=["Ll"]), min_size=1, max_size=8)
leaves = st.sampled_from(
    [
        {"type": "string"},
        {"type": "integer", "minimum": 0, "maximum": 100},
        {"type": "boolean"},
        {"type": "null"},
        {"type": "object", "properties": {"name": {"type": "string"}}},
    ]
)
lists = st.builds(
    lambda items, n: {"type": "array", "items": items, "minItems": n, "maxItems": n},
    leaves,
    st.integers(0, 6),
)
json_specs = st.dictionaries(names, leaves | lists, min_size=1, max_size=5).map(
    lambda props: {
        "output_schema": {
            "type": "json",
            "json_schema": {"type": "object", "properties": props, "required": sorted(props)},
        }
    }
)
# {} has no output_schema, so the emulator infers one (an auto spec).
specs: st.SearchStrategy[Dict[str, Any]] = json_specs | st.just(TEXT_SPEC) | st.just({})
inputs = st.text(max_size=30) | st.dictionaries(names, st.text(max_size=10), max_size=3)
processors = st.sampled_from(PROCESSORS)


def company(i: int) -> Dict[str, str]:
    return {"company": f"Company {i}", "website": f"company-{i}.example"}


def entries(processor: str) -> List[Dict[str, Any]]:
    return [
        entry
        for i in range(OUTPUTS)
        for entry in build_output(company(i), COMPANY_SPEC, processor)["basis"]
    ]


@cache
def tallies(processor: str) -> Tuple[Counter[str], Counter[str]]:
    """(entries per confidence, entries without citations per confidence) over OUTPUTS runs."""
    found = entries(processor)
    return (
        Counter(e["confidence"] for e in found),
        Counter(e["confidence"] for e in found if not e["citations"]),
    )


def expected_fields(content: Dict[str, Any]) -> List[str]:
    fields: List[str] = []
    for key, value in content.items():
        fields.append(key)
        if isinstance(value, list):
            fields.extend(f"{key}.{i}" for i in range(len(value)))
    return fields


@cache
def contract_validator(name: str) -> Any:
    return Draft202012Validator(Contract.load().component_schema(name))


# -- proportions ---------------------------------------------------------------------------------


@pytest.mark.parametrize("processor", ["lite", "core", "pro", "ultra"])
def test_confidence_shares_over_2000_outputs_match_the_documented_figures(processor: str) -> None:
    levels, _ = tallies(processor)
    total = sum(levels.values())
    for level, share in zip(LEVELS, CONFIDENCE_SHARES[processor]):
        assert abs(levels[level] / total - share) < SHARE_TOLERANCE, (level, levels)


def test_each_tier_shares_sum_to_one_and_a_stronger_tier_never_has_fewer_highs() -> None:
    for shares in CONFIDENCE_SHARES.values():
        assert sum(shares) == pytest.approx(1.0)
    highs = [CONFIDENCE_SHARES[t][0] for t in TIERS]
    assert highs == sorted(highs) and highs[0] < highs[-1]


def test_stronger_processors_give_more_high_confidence_than_lite_and_base() -> None:
    def high_share(processor: str) -> float:
        levels, _ = tallies(processor)
        return levels["high"] / sum(levels.values())

    assert high_share("lite") < high_share("core") < high_share("ultra")
    assert high_share("base") < high_share("pro")


@pytest.mark.parametrize("processor", ["lite", "core", "ultra"])
def test_entries_without_citations_follow_the_documented_rate_per_confidence(
    processor: str,
) -> None:
    levels, bare = tallies(processor)
    assert abs(bare["low"] / levels["low"] - NO_CITATIONS["low"]) < 0.06, (bare, levels)
    assert abs(bare["medium"] / levels["medium"] - NO_CITATIONS["medium"]) < 0.04, (bare, levels)
    assert bare["high"] / levels["high"] < 0.02, (bare, levels)


def test_low_confidence_entries_lack_citations_more_often_than_high_ones() -> None:
    levels, bare = tallies("core")
    rate = {level: bare[level] / levels[level] for level in LEVELS}
    assert rate["low"] > rate["medium"] > rate["high"]


def test_higher_confidence_entries_cite_more_sources_on_average() -> None:
    counts: Dict[str, List[int]] = {level: [] for level in LEVELS}
    for entry in entries("core"):
        if entry["citations"]:
            counts[entry["confidence"]].append(len(entry["citations"]))
    mean = {level: sum(c) / len(c) for level, c in counts.items()}
    assert mean["high"] > mean["medium"] > mean["low"] == 1


# -- shape ---------------------------------------------------------------------------------------


@given(json_specs, inputs, processors)
def test_a_list_field_gets_one_numbered_entry_per_element_right_after_its_own(
    spec: Dict[str, Any], task_input: Any, processor: str
) -> None:
    output = build_output(task_input, spec, processor)
    assert [b["field"] for b in output["basis"]] == expected_fields(output["content"])


@given(inputs, processors)
def test_a_text_output_has_a_single_output_entry(task_input: Any, processor: str) -> None:
    output = build_output(task_input, TEXT_SPEC, processor)
    assert [b["field"] for b in output["basis"]] == ["output"]


@given(specs, inputs, processors)
def test_every_entry_has_a_confidence_level_and_a_citation_list(
    spec: Dict[str, Any], task_input: Any, processor: str
) -> None:
    for entry in build_output(task_input, spec, processor)["basis"]:
        assert entry["confidence"] in LEVELS
        assert isinstance(entry["citations"], list)
        assert len({c["url"] for c in entry["citations"]}) == len(entry["citations"])
        assert entry["reasoning"]


@given(specs, inputs, processors)
def test_outputs_stay_valid_against_the_contract(
    spec: Dict[str, Any], task_input: Any, processor: str
) -> None:
    output = build_output(task_input, spec, processor)
    name = "TaskRunTextOutput" if output["type"] == "text" else "TaskRunJsonOutput"
    contract_validator(name).validate(output)


# -- determinism and processors ------------------------------------------------------------------


@given(specs, inputs, processors)
def test_the_same_input_gives_the_same_basis(
    spec: Dict[str, Any], task_input: Any, processor: str
) -> None:
    assert build_output(task_input, spec, processor) == build_output(task_input, spec, processor)


def test_another_process_gives_the_same_basis() -> None:
    script = (
        "import json; from taskgroup_emulator.outputs import build_output; "
        f"print(json.dumps(build_output({company(7)!r}, {COMPANY_SPEC!r}, 'base')))"
    )
    env = {**os.environ, "PYTHONHASHSEED": "12345"}
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, env=env, check=True
    )
    assert json.loads(done.stdout) == build_output(company(7), COMPANY_SPEC, "base")


@given(specs, inputs, st.integers(0, len(TIERS) - 1), st.integers(0, len(TIERS) - 1))
def test_a_stronger_processor_changes_no_content_and_lowers_no_confidence(
    spec: Dict[str, Any], task_input: Any, a: int, b: int
) -> None:
    weaker = build_output(task_input, spec, TIERS[min(a, b)])
    stronger = build_output(task_input, spec, TIERS[max(a, b)])
    assert weaker["content"] == stronger["content"]
    pairs = list(zip(weaker["basis"], stronger["basis"]))
    assert len(pairs) == len(weaker["basis"]) == len(stronger["basis"])
    assert all(w["field"] == s["field"] for w, s in pairs)
    assert all(RANK[w["confidence"]] <= RANK[s["confidence"]] for w, s in pairs)


def test_fast_variants_share_their_tier_figures_and_unknown_processors_get_core() -> None:
    assert all(confidence_shares(f"{t}-fast") == CONFIDENCE_SHARES[t] for t in TIERS)
    assert confidence_shares("not-a-processor") == CONFIDENCE_SHARES[DEFAULT_PROCESSOR]
    assert build_output(company(1), COMPANY_SPEC) == build_output(
        company(1), COMPANY_SPEC, DEFAULT_PROCESSOR
    )


@pytest.mark.integration
def test_the_server_builds_each_run_basis_for_the_run_processor(
    emulator_server_factory: Callable[..., EmulatorServer],
) -> None:
    runs = [(company(i), p) for i in range(3) for p in ("lite", "ultra")]
    items = [{"input": task_input, "processor": p} for task_input, p in runs]
    with emulator_server_factory(time_scale=0.0005) as emu, client_for(emu) as api:
        group_id = new_group(api)
        run_ids = add_runs(api, group_id, items, default_task_spec=COMPANY_SPEC)["run_ids"]
        for (task_input, processor), run_id in zip(runs, run_ids):
            response = api.get(f"/v1/tasks/runs/{run_id}/result", params={"timeout": 30})
            assert response.status_code == 200, response.text
            expected = build_output(task_input, COMPANY_SPEC, processor)
            assert response.json()["output"] == expected
