"""A webhook receiver on 127.0.0.1 for subscription tests and the benchmark: it keeps what it is
sent, checks each GS1-Signature, and answers what it is told to (or nothing: ``down``)."""

from __future__ import annotations

import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import orjson

from tracechain.services.subscriptions.deliverer import signature_ok


def _document(body: bytes, headers) -> dict:
    """The delivered document as JSON-LD: an XML body is read the way capture reads XML."""
    if headers.get("Content-Type", "").startswith(("application/xml", "text/xml")):
        from tracechain.capture.xml_document import read_xml

        return read_xml(body)
    return orjson.loads(body)


class Receiver:
    def __init__(self, token: str | None = None, status: int = 200):
        self.token = token
        self.status = status
        self.received: list[dict] = []  # the documents (an XML one read as JSON-LD), in order
        self.bodies: list[bytes] = []  # the bodies as they came
        self.bad_signatures = 0
        self.headers: list[dict] = []
        self.lock = threading.Lock()
        self.got = threading.Condition(self.lock)
        outer = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_POST(self):  # noqa: N802 - http.server's name
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                status = outer.status
                with outer.lock:
                    if status < 300:
                        if outer.token is not None and not signature_ok(
                                body, outer.token, self.headers.get("GS1-Signature")):
                            outer.bad_signatures += 1
                            status = 401
                        else:
                            outer.received.append(_document(body, self.headers))
                            outer.bodies.append(body)
                            outer.headers.append(dict(self.headers))
                    outer.got.notify_all()
                self.send_response(status)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.thread = threading.Thread(target=self.server.serve_forever,
                                       kwargs={"poll_interval": 0.02}, daemon=True)
        self.thread.start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}/hook"

    def event_ids(self) -> list[str]:
        with self.lock:
            return [e["eventID"] for doc in self.received
                    for e in doc["epcisBody"]["queryResults"]["resultsBody"]["eventList"]]

    def wait_for(self, count: int, timeout: float = 10.0) -> list[str]:
        with self.lock:
            self.got.wait_for(lambda: sum(
                len(d["epcisBody"]["queryResults"]["resultsBody"]["eventList"])
                for d in self.received) >= count, timeout)
        return self.event_ids()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()
