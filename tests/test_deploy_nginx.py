"""The Nginx site in deploy/ in front of a real ``iris serve``: proxying, limits, JSON errors."""

from __future__ import annotations

import json
import shutil
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests

from iris_codes.testing import ServerProcess, free_port
from support import StartServer, post_analyze, require

SITE = Path(__file__).resolve().parents[1] / "deploy" / "nginx-iris.conf"
MAIN_CONF = """
worker_processes 1;
pid {root}/nginx.pid;
error_log {root}/error.log;
events {{ worker_connections 64; }}
http {{
    access_log {root}/access.log;
    client_body_temp_path {root}/body;
    proxy_temp_path {root}/proxy;
    fastcgi_temp_path {root}/fastcgi;
    uwsgi_temp_path {root}/uwsgi;
    scgi_temp_path {root}/scgi;
    include {root}/site.conf;
}}
"""


class Nginx:
    """A real nginx running deploy/nginx-iris.conf, pointed at ``upstream_port``."""

    def __init__(self, root: Path, upstream_port: int) -> None:
        self.root = root
        self.port = free_port()
        site = SITE.read_text()
        site = site.replace("listen 80;", f"listen 127.0.0.1:{self.port};")
        site = site.replace("127.0.0.1:8080", f"127.0.0.1:{upstream_port}")
        (root / "site.conf").write_text(site)
        (root / "nginx.conf").write_text(MAIN_CONF.format(root=root))
        self.command = ["nginx", "-p", str(root), "-c", str(root / "nginx.conf")]

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> None:
        subprocess.run([*self.command, "-t"], check=True, capture_output=True)
        subprocess.run(self.command, check=True, capture_output=True)
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            try:
                requests.get(self.url, timeout=1)
                return
            except requests.ConnectionError:
                time.sleep(0.05)
        raise RuntimeError("nginx did not start")

    def stop(self) -> None:
        subprocess.run([*self.command, "-s", "stop"], capture_output=True)


@pytest.fixture
def iris(start_server: StartServer) -> ServerProcess:
    # As deploy/iris.service sets it: nginx is the one proxy appending to X-Forwarded-For.
    env = {"IRIS_API_KEY": "site-key", "IRIS_RATE_LIMIT": "3/minute", "IRIS_TRUSTED_PROXIES": "1"}
    return start_server(env)


@pytest.fixture
def nginx(tmp_path: Path, iris: ServerProcess) -> Iterator[Nginx]:
    require(shutil.which("nginx") is not None, "nginx is not installed (apt-get install nginx)")
    proxy = Nginx(tmp_path, iris.port)
    proxy.start()
    yield proxy
    proxy.stop()


BODY = {"filename": "a.py", "source_code": "def f():\n    return 1\n"}
KEY = {"X-API-Key": "site-key"}


def test_proxies_analysis_and_passes_the_request_id(nginx: Nginx) -> None:
    reply = post_analyze(nginx.url, BODY, headers=KEY)
    assert reply.status_code == 200
    assert reply.json()["success"] is True
    assert len(reply.headers["X-Request-ID"]) == 32  # nginx's $request_id reached IRIS


def test_rate_limit_counts_the_client_behind_the_proxy(nginx: Nginx) -> None:
    # Four different files: IRIS_RATE_LIMIT counts analyses, and a cache hit is not one.
    bodies = [{"filename": f"f{i}.py", "source_code": f"x{i} = {i}\n"} for i in range(4)]
    statuses = [post_analyze(nginx.url, body, headers=KEY).status_code for body in bodies]
    assert statuses == [200, 200, 200, 429]


def test_proxy_refusals_are_json_in_iris_shape(nginx: Nginx, iris: ServerProcess) -> None:
    big = {"filename": "a.py", "source_code": "x" * 2_000_000}
    too_large = requests.post(
        f"{nginx.url}/api/iris/analyze", data=json.dumps(big), headers=KEY, timeout=10
    )
    assert too_large.status_code == 413
    assert too_large.json()["code"] == "payload_too_large"
    iris.stop()
    down = post_analyze(nginx.url, BODY, headers=KEY)
    assert down.status_code == 503
    assert down.json() == {
        "success": False,
        "error": "IRIS is not answering; try again shortly.",
        "code": "service_unavailable",
    }
