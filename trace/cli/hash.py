"""`tracechain hash FILE...`: the CBV 2.0 event hash of every event of EPCIS 2.0 documents
(JSON-LD or XML, told apart by their content, not their name).

Works offline, without the database or the web application: it only reads the files.
"""

from __future__ import annotations

import json

import click


class _Unusable(Exception):
    """A file that cannot be hashed; the message is the one line shown to the user."""


@click.command("hash")
@click.argument("files", nargs=-1, required=True, metavar="FILE...")
@click.option("--prehash", is_flag=True,
              help="Also print, after a tab, the exact pre-hash text that was hashed.")
@click.option("--honour-ignore-fields", is_flag=True,
              help="Leave out of every event's hash the fields a document's ignoreFields list "
                   "names (the reference tool's 2024 feature; not what capture stores).")
def hash_command(files: tuple[str, ...], prehash: bool, honour_ignore_fields: bool) -> None:
    """Print the event hash (ni:///sha-256;…?ver=CBV2.0) of each event, one per line.

    FILE is an EPCIS 2.0 JSON / JSON-LD document (EPCISDocument, EPCISQueryDocument, or a body
    with a single event) or an EPCIS 2.0 XML document (hashed as the JSON-LD it maps to, which
    is what capture stores); "-" reads standard input. Events are printed in document order, files
    in the order given. Hashes match the reference tool epcis-event-hash-generator 1.9.3.
    Exit code 2, with one line on standard error, when a file cannot be read or is not an
    EPCIS document; then nothing is printed.

    A document-level ignoreFields list (the reference tool's repository-x:ignoreFields) is not
    honoured unless asked (--honour-ignore-fields): every field is hashed, as capture hashes it
    and as the reference's current version does; a note on standard error says which of the two
    was done.
    """
    from ..hash import hash_document, ignore_fields  # here so `tracechain --help` stays light

    try:
        documents = [(name, _load(name)) for name in files]
        results = [_hashes(name, doc, hash_document, honour_ignore_fields)
                   for name, doc in documents]
    except _Unusable as exc:
        click.echo(f"tracechain hash: {exc}", err=True)
        raise SystemExit(2) from None
    for name, doc in documents:
        try:
            listed = ignore_fields(doc)
        except ValueError as exc:  # malformed, and not honoured: say so, hash all the same
            listed, why = [], _one_line(exc)
            click.echo(f"tracechain hash: {_label(name)}: ignoreFields not used ({why})", err=True)
        if listed and honour_ignore_fields:
            click.echo(f"tracechain hash: {_label(name)}: its ignoreFields list leaves "
                       f"{', '.join(listed)} out of every event's hash; capture hashes every "
                       "field", err=True)
        elif listed:
            click.echo(f"tracechain hash: {_label(name)}: its ignoreFields list "
                       f"({', '.join(listed)}) is not honoured: every field is hashed, as "
                       "capture does (--honour-ignore-fields to leave them out)", err=True)
    for hashes in results:
        for h in hashes:
            click.echo(f"{h.id}\t{h.prehash}" if prehash else h.id)


def _load(name: str):
    label = "standard input" if name == "-" else name
    try:
        with click.open_file(name, "rb") as f:  # "-" is standard input
            data = f.read()
    except OSError as exc:
        raise _Unusable(f"cannot read {label}: {exc.strerror or exc}") from None
    from ..capture.xml_document import looks_like_xml

    if looks_like_xml(data):
        from ..capture.xml_document import read_xml
        from ..domain.errors import ValidationFailed

        try:
            return read_xml(data)
        except ValidationFailed as exc:
            raise _Unusable(f"{label} is not an EPCIS XML document: "
                            f"{_one_line(exc)}") from None
    try:
        return json.loads(data)
    except (ValueError, RecursionError) as exc:  # JSONDecodeError and bad UTF-8 are ValueErrors
        raise _Unusable(f"{label} is not valid JSON: {_one_line(exc)}") from None


def _label(name: str) -> str:
    return "standard input" if name == "-" else name


def _hashes(name: str, doc, hash_document, honour_ignore_fields: bool) -> list:
    label = _label(name)
    try:
        return hash_document(doc, honour_ignore_fields=honour_ignore_fields)
    except (ValueError, RecursionError) as exc:
        raise _Unusable(f"{label} is not an EPCIS document: {_one_line(exc)}") from None


def _one_line(exc: BaseException) -> str:
    return " ".join(str(exc).split()) or type(exc).__name__
