"""Real receivers on loopback for the notification tests: a JSON webhook."""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

# A secret in the webhook's path, as a real one's token: it must show nowhere.
SECRET = "tok3n-in-the-path-55"


class Webhook:
    """A JSON webhook receiver that keeps what it got; `down` makes it answer 503; clearing
    `answering` makes it keep a message without answering (a sender caught mid-send)."""

    def __init__(self) -> None:
        self.got: list[dict[str, Any]] = []
        self.down = False
        self.answering = threading.Event()
        self.answering.set()
        hook = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers["Content-Length"]))
                if hook.down:
                    self.send_response(503)
                    self.end_headers()
                    return
                hook.got.append(json.loads(body))
                hook.answering.wait(30)
                self.send_response(200)
                self.end_headers()

            def log_message(self, *_args: object) -> None:
                return None

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        # A secret in the path, as a real webhook's token: it must show nowhere.
        self.url = f"json://127.0.0.1:{self.server.server_address[1]}/hook-{SECRET}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.answering.set()
        self.server.shutdown()
        self.server.server_close()
