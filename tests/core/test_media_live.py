"""Uploads through a real `parley serve` (gunicorn): the returned URL serves the same bytes."""

import json
import os
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
import uuid

import pytest

from tests.core.test_serve import _password_token, free_port, wait_until_up
from tests.posts.imagefiles import real_image

pytestmark = pytest.mark.live


def fetch(url: str, token: str | None = None, **headers: str):
    request = urllib.request.Request(url, headers=headers)
    if token:
        request.add_header("Authorization", f"Bearer {token}")
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, dict(response.headers), response.read()
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), error.read()


def send(url: str, token: str, body: bytes, content_type: str) -> dict:
    request = urllib.request.Request(
        url, data=body, headers={"Authorization": f"Bearer {token}", "Content-Type": content_type}
    )
    with urllib.request.urlopen(request, timeout=10) as response:
        return json.loads(response.read())


def multipart(field: str, filename: str, data: bytes) -> tuple[bytes, str]:
    boundary = uuid.uuid4().hex
    body = (
        f'--{boundary}\r\nContent-Disposition: form-data; name="{field}"; filename="{filename}"'
        f"\r\nContent-Type: text/html\r\n\r\n"
    ).encode() + data + f"\r\n--{boundary}--\r\n".encode()
    return body, f"multipart/form-data; boundary={boundary}"


def test_an_upload_is_served_by_parley_serve_with_ranges(tmp_path):
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PARLEY_", "DJANGO_"))}
    env |= {"PARLEY_DATA_DIR": str(tmp_path / "var"), "PARLEY_RATE_LIMITS": "off"}
    cli = [sys.executable, "-m", "parley.cli"]
    server = subprocess.Popen(
        [*cli, "serve", "--port", str(port), "--workers", "1"],
        env=env, cwd=tmp_path, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
    )
    base = f"http://127.0.0.1:{port}"
    image = real_image("JPEG", (120, 80))
    try:
        wait_until_up(f"{base}/api/v1/instance", server, time.time() + 60)
        subprocess.run(
            [*cli, "user", "create", "op", "--email", "op@example.org",
             "--password", "long enough pass"],
            env=env, cwd=tmp_path, check=True,
        )
        token = _password_token(base)
        media = send(f"{base}/api/v2/media", token, *multipart("file", "x.html", image))
        url = media["url"]
        assert url.startswith(base + "/media/media/") and url.endswith(".jpg")

        status, headers, body = fetch(url, token)
        assert (status, headers["Content-Type"], body) == (200, "image/jpeg", image)
        assert headers["X-Content-Type-Options"] == "nosniff"
        assert fetch(url)[0] == 404  # not attached yet: only its uploader

        post = send(f"{base}/api/v1/statuses", token,
                    json.dumps({"status": "a picture", "media_ids": [media["id"]]}).encode(),
                    "application/json")
        deadline = time.time() + 15
        while fetch(url)[0] != 200 and time.time() < deadline:
            time.sleep(0.2)
        status, headers, body = fetch(url)
        assert (status, headers["Content-Type"], body) == (200, "image/jpeg", image)
        assert headers["Cache-Control"].startswith("public")

        status, headers, body = fetch(url, Range="bytes=10-109")
        assert status == 206 and body == image[10:110]
        assert headers["Content-Range"] == f"bytes 10-109/{len(image)}"
        assert fetch(url, **{"If-None-Match": headers["ETag"]})[0] == 304
        assert post["media_attachments"][0]["url"] == url
    finally:
        server.send_signal(signal.SIGTERM)
        output = server.communicate(timeout=30)[0].decode()
    assert "Traceback" not in output, output
