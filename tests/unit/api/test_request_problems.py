"""marshmallow/webargs messages become Problems with JSONPaths into what the caller sent."""

from __future__ import annotations

from tracechain.api.cooperative.blueprint import request_problems


def test_nested_messages_become_json_paths():
    messages = {"json": {"quantity": ["Must be greater than 0."],
                         "inputs": {0: {"gtin": ["Missing data for required field."]}},
                         "_schema": ["Invalid input type."]}}
    assert [(p.path, p.message) for p in request_problems(messages)] == [
        ("$.quantity", "Must be greater than 0"),
        ("$.inputs[0].gtin", "Missing data for required field"),
        ("$", "Invalid input type"),
    ]


def test_query_messages_and_unwrapped_messages():
    assert request_problems({"query": {"kind": ["Must be one of: tea."]}})[0].path == \
        "$.query.kind"
    assert request_problems({"lot": ["Too long."]})[0].path == "$.lot"
