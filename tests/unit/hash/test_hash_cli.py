"""`tracechain hash FILE...` through click's CliRunner."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from tracechain.cli.hash import hash_command

HERE = Path(__file__).resolve().parent
VECTORS = HERE / "vectors"


@pytest.fixture
def runner():
    try:
        return CliRunner(mix_stderr=False)
    except TypeError:  # click >= 8.2 keeps stderr apart by itself
        return CliRunner()


def _expected(name: str) -> list[str]:
    return (VECTORS / f"{name}.hashes").read_text().split()


def test_prints_one_hash_per_event_in_order_across_files(runner):
    files = [str(VECTORS / "epcisDocWithVariousEventTypes.jsonld"),
             str(VECTORS / "epcisDocWithSingleEvent.jsonld")]
    result = runner.invoke(hash_command, files)
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines() == (_expected("epcisDocWithVariousEventTypes")
                                          + _expected("epcisDocWithSingleEvent"))


def test_prehash_option_and_stdin(runner):
    data = (VECTORS / "epcisDocWithSingleEvent.jsonld").read_bytes()
    result = runner.invoke(hash_command, ["--prehash", "-"], input=data)
    assert result.exit_code == 0
    hash_id, prehash = result.stdout.rstrip("\n").split("\t")
    assert hash_id == _expected("epcisDocWithSingleEvent")[0]
    assert prehash == (VECTORS / "epcisDocWithSingleEvent.prehashes").read_text().rstrip("\n")


def test_query_documents_and_vietnamese_text(runner, tmp_path):
    doc = json.loads((HERE / "own_vectors" / "query_document.jsonld").read_text("utf-8"))
    path = tmp_path / "query.jsonld"
    path.write_text(json.dumps(doc, ensure_ascii=False), encoding="utf-8")
    result = runner.invoke(hash_command, ["--prehash", str(path)])
    assert result.exit_code == 0
    assert len(result.stdout.splitlines()) == 2
    assert "Nguyễn Văn Bình" in result.stdout


@pytest.mark.parametrize("content, message", [
    (None, "cannot read"),
    (b"{not json", "is not valid JSON"),
    (b"\xff\xfe\x00", "is not valid JSON"),
    (b'{"type": "EPCISDocument"}', "is not an EPCIS document"),
    (b'[1, 2]', "is not an EPCIS document"),
    (b'{"epcisBody": {"eventList": [42]}}', "is not an EPCIS document"),
])
def test_unusable_input_is_one_line_on_stderr_and_exit_2(runner, tmp_path, content, message):
    good = str(VECTORS / "epcisDocWithSingleEvent.jsonld")
    path = tmp_path / "input.json"
    if content is not None:
        path.write_bytes(content)
    result = runner.invoke(hash_command, [good, str(path)])
    assert result.exit_code == 2
    assert result.stdout == ""  # nothing is printed when any file is unusable
    lines = result.stderr.splitlines()
    assert len(lines) == 1 and message in lines[0] and str(path) in lines[0]


def test_a_file_is_required(runner):
    result = runner.invoke(hash_command, [])
    assert result.exit_code == 2


IGNORE_FIELDS = HERE.parents[1] / "fixtures" / "hash_reference" / "examples" / \
    "epcisXmlDocHavingEventWithIgnoreFields.xml"


def test_ignore_fields_are_honoured_only_when_asked_and_said_on_stderr(runner):
    from tracechain.capture.xml_document import read_xml
    from tracechain.hash import hash_document

    result = runner.invoke(hash_command, ["--honour-ignore-fields", str(IGNORE_FIELDS)])
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines() == \
        IGNORE_FIELDS.with_suffix(".hashes").read_text().splitlines()
    assert "leaves example:testField1, example:testField2 out" in result.stderr
    assert "capture hashes every field" in result.stderr
    # by default every field is hashed, as capture does
    result = runner.invoke(hash_command, [str(IGNORE_FIELDS)])
    assert result.exit_code == 0, result.output
    full = hash_document(read_xml(IGNORE_FIELDS.read_bytes()))
    assert result.stdout.splitlines() == [h.id for h in full]
    assert "is not honoured: every field is hashed" in result.stderr


def _with_ignore_list(fields) -> str:
    return json.dumps({
        "@context": ["https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld",
                     {"repository-x": "https://repository-x.example.com/"}],
        "type": "EPCISDocument", "repository-x:ignoreFields": fields,
        "epcisBody": {"eventList": [{"type": "ObjectEvent", "action": "OBSERVE",
                                     "eventTime": "2024-01-01T00:00:00Z"}]}})


def test_an_ignore_list_naming_a_standard_field_is_refused_when_honoured(runner):
    data = _with_ignore_list(["bizLocation"])
    result = runner.invoke(hash_command, ["--honour-ignore-fields", "-"], input=data)
    assert result.exit_code == 2
    assert "only user extensions" in result.stderr and not result.stdout
    result = runner.invoke(hash_command, ["-"], input=data)  # not honoured: hashed, and said
    assert result.exit_code == 0 and result.stdout.startswith("ni:///sha-256;")
    assert "ignoreFields not used" in result.stderr
