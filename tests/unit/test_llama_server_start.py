"""`LlamaServer.start` checks one real completion, so a server that answers `GET /v1/models`
and then dies on its first completion (a llama.cpp wheel built for another CPU) is reported
once, with its exit status and its log, instead of as a protocol error in every model test.

A small stand-in server plays the broken llama.cpp: it needs nothing installed.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from evals.llama_server import LlamaServer, LlamaServerFailed, describe_exit

# Answers GET /v1/models like llama.cpp's server; on a completion it prints a line to its log
# and then either dies by SIGSEGV (as the native wheel did) or answers a completion.
STAND_IN = """
import json, os, signal, sys
from http.server import BaseHTTPRequestHandler, HTTPServer

class Handler(BaseHTTPRequestHandler):
    def log_message(self, *args):
        pass

    def _answer(self, body):
        data = json.dumps(body).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def do_GET(self):
        self._answer({"object": "list", "data": [{"id": "stand-in"}]})

    def do_POST(self):
        self.rfile.read(int(self.headers["Content-Length"]))
        print("general protection fault in libggml-cpu.so (stand-in)", flush=True)
        if sys.argv[2] == "crash":
            os.kill(os.getpid(), signal.SIGSEGV)
        self._answer({"choices": [{"message": {"role": "assistant", "content": "OK"}}]})

HTTPServer(("127.0.0.1", int(sys.argv[1])), Handler).serve_forever()
"""


class StandInServer(LlamaServer):
    def __init__(self, log_path: Path, behaviour: str) -> None:
        super().__init__(log_path)
        self.behaviour = behaviour

    def launch_command(self) -> list[str]:
        return [sys.executable, "-c", STAND_IN, str(self.port), self.behaviour]


def test_a_server_that_crashes_on_its_first_completion_says_so_with_status_and_log(
    tmp_path: Path,
) -> None:
    server = StandInServer(tmp_path / "server.log", "crash")
    with pytest.raises(LlamaServerFailed) as raised:
        server.start(timeout_s=30)
    message = str(raised.value)
    assert "ended with signal 11 (SIGSEGV) on its first completion" in message
    assert "make llm-rebuild" in message
    assert "general protection fault in libggml-cpu.so (stand-in)" in message  # the log's tail
    assert server._process is None  # stopped, nothing left running


def test_a_server_that_answers_its_first_completion_starts(tmp_path: Path) -> None:
    server = StandInServer(tmp_path / "server.log", "answer")
    try:
        endpoint = server.start(timeout_s=30)
        assert endpoint.base_url == f"http://127.0.0.1:{server.port}/v1"
    finally:
        server.stop()


def test_exit_statuses_read_as_a_person_would_say_them() -> None:
    assert describe_exit(1) == "exit status 1"
    assert describe_exit(-11) == "signal 11 (SIGSEGV)"
    assert describe_exit(-4) == "signal 4 (SIGILL)"
