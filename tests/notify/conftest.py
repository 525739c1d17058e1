"""Fixtures of the notification tests: a real local HTTP receiver, channels, frozen clocks."""

from __future__ import annotations

import json
import threading
import urllib.parse
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from huey.contrib.djhuey import HUEY

from gridcase.notify.models import ChannelConfig

WEBHOOK_SECRET = "test-webhook-secret-0123456789"
DINGTALK_SECRET = "SEC0123456789abcdef"


@dataclass
class Received:
    path: str
    query: dict[str, str]
    headers: dict[str, str]
    body: bytes

    def json(self):
        return json.loads(self.body)


class Receiver:
    """An HTTP server on 127.0.0.1 that records every POST and answers like a robot."""

    def __init__(self):
        self.requests: list[Received] = []
        self.lock = threading.Lock()
        self.reply = b'{"errcode":0,"errmsg":"ok"}'
        self.status = 200
        self.delay = 0.0
        self.server: ThreadingHTTPServer | None = None
        self.port = 0

    def start(self, port: int = 0) -> Receiver:
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length)
                parsed = urllib.parse.urlsplit(self.path)
                query = dict(urllib.parse.parse_qsl(parsed.query, keep_blank_values=True))
                if receiver.delay:
                    threading.Event().wait(receiver.delay)
                with receiver.lock:
                    receiver.requests.append(
                        Received(parsed.path, query, dict(self.headers.items()), body)
                    )
                self.send_response(receiver.status)
                self.send_header("Content-Type", "application/json")
                self.end_headers()
                self.wfile.write(receiver.reply)

            def log_message(self, *args):
                pass

        ThreadingHTTPServer.allow_reuse_address = True
        self.server = ThreadingHTTPServer(("127.0.0.1", port), Handler)
        self.server.daemon_threads = True
        self.port = self.server.server_address[1]
        threading.Thread(
            target=self.server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True
        ).start()
        return self

    def stop(self) -> None:
        if self.server is not None:
            self.server.shutdown()
            self.server.server_close()
            self.server = None

    def url(self, path: str = "/hook") -> str:
        return f"http://127.0.0.1:{self.port}{path}"


@pytest.fixture
def receiver():
    r = Receiver().start()
    yield r
    r.stop()


@pytest.fixture(autouse=True)
def _huey_in_memory():
    """Tasks enqueued by a test run at once in memory, never in the data directory's queue."""
    before = HUEY.immediate
    HUEY.immediate = True
    yield
    HUEY.immediate = before


def webhook_for(unit, receiver: Receiver, path: str = "/hook") -> ChannelConfig:
    return ChannelConfig.objects.create(
        unit=unit, kind="webhook", target=receiver.url(path), secret=WEBHOOK_SECRET
    )
