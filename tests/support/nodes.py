"""Real app processes for tests beyond one process (issue 13): gunicorn nodes on free ports,
a round-robin TCP proxy in front of them (one address, as a load balancer gives), and a
browser-like HTTP client (cookies, the login form's CSRF token, multipart uploads)."""

import http.cookiejar
import os
import re
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
TOKEN = re.compile(r'<input[^>]*name="csrf_token"[^>]*value="([^"]+)"')


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class AppNode:
    """One app node: `gunicorn -c gunicorn.conf.py` with its own port, env and error log."""

    def __init__(self, env: dict, log: Path, workers: int = 1):
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log = log
        command = [
            *(sys.executable, "-m", "gunicorn", "-c", str(ROOT / "gunicorn.conf.py")),
            *("-w", str(workers), "-b", f"127.0.0.1:{self.port}", "--error-logfile", str(log)),
            "wsgi:app",
        ]
        self.process = subprocess.Popen(command, cwd=ROOT, env=env)

    def wait_ready(self, seconds: float = 60) -> None:
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"node {self.url} exited:\n{self.log.read_text()[-3000:]}")
            try:
                with urllib.request.urlopen(self.url + "/login", timeout=5):
                    return
            except (urllib.error.URLError, ConnectionError, TimeoutError):
                time.sleep(0.2)
        raise RuntimeError(f"node {self.url} did not answer")

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(20)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


class RoundRobinProxy:
    """A TCP proxy on a free port: each new connection goes to the next backend in turn
    (gunicorn's sync workers close the connection after each answer, so each request is one
    connection). `served` counts the connections each backend took."""

    def __init__(self, backends: list[int]):
        self.backends = backends
        self.served = [0] * len(backends)
        self._next = 0
        self._lock = threading.Lock()
        self._server = socket.socket()
        self._server.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self._server.bind(("127.0.0.1", 0))
        self._server.listen(64)
        self.port = self._server.getsockname()[1]
        self.url = f"http://127.0.0.1:{self.port}"
        self._closed = False
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        while not self._closed:
            try:
                client, _address = self._server.accept()
            except OSError:
                return
            with self._lock:
                index = self._next % len(self.backends)
                self._next += 1
                self.served[index] += 1
            upstream = socket.create_connection(("127.0.0.1", self.backends[index]))
            for source, target in ((client, upstream), (upstream, client)):
                threading.Thread(target=self._pump, args=(source, target), daemon=True).start()

    @staticmethod
    def _pump(source: socket.socket, target: socket.socket) -> None:
        try:
            while chunk := source.recv(65536):
                target.sendall(chunk)
        except OSError:
            pass
        finally:
            for sock in (source, target):
                try:
                    sock.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass

    def close(self) -> None:
        self._closed = True
        self._server.close()


class Browser:
    """Cookies kept across hosts and ports (cookies ignore the port), redirects followed."""

    def __init__(self):
        self.jar = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.jar))

    def request(self, url: str, data: bytes | None = None, headers: dict | None = None):
        """(status, final url, body)."""
        request = urllib.request.Request(url, data=data, headers=headers or {})
        try:
            with self.opener.open(request, timeout=60) as response:
                return response.status, response.url, response.read()
        except urllib.error.HTTPError as error:
            return error.code, url, error.read()

    def token(self, url: str) -> str:
        status, _final, body = self.request(url)
        match = TOKEN.search(body.decode())
        assert status == 200 and match, f"no CSRF token on {url} ({status})"
        return match.group(1)

    def post_form(self, base: str, path: str, fields: dict, token_from: str):
        form = {**fields, "csrf_token": self.token(base + token_from)}
        return self.request(base + path, urllib.parse.urlencode(form).encode())

    def sign_in(self, base: str, username: str, password: str):
        return self.post_form(
            base, "/login", {"username": username, "password": password}, token_from="/login"
        )

    def upload(self, url: str, token: str, name: str, content: bytes, mimetype: str):
        boundary = uuid.uuid4().hex
        parts = [
            f'--{boundary}\r\nContent-Disposition: form-data; name="csrf_token"\r\n\r\n'
            f"{token}\r\n".encode(),
            f'--{boundary}\r\nContent-Disposition: form-data; name="file"; '
            f'filename="{name}"\r\nContent-Type: {mimetype}\r\n\r\n'.encode(),
            content,
            f"\r\n--{boundary}--\r\n".encode(),
        ]
        headers = {"Content-Type": f"multipart/form-data; boundary={boundary}"}
        return self.request(url, b"".join(parts), headers)


def node_env(database_url: str, instance: Path, **extra: str) -> dict:
    """The environment of one node: its database, its instance folder, production-like
    settings (CSRF on, as wsgi.py builds the app), fast enough for a test."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("TRACKER_")}
    env.update(
        TRACKER_DATABASE_URL=database_url,
        TRACKER_INSTANCE_PATH=str(instance),
        PYTHONFAULTHANDLER="1",
        **extra,
    )
    return env
