"""Redis down or silent: pages keep working, limits fall back or fail closed as set.

Seen before: with the limits' Redis down the API and the sign-in answered 500; with a
Redis that accepted connections and never answered, each registry page took 20 s (the
cache) and each API call 10 s (the limits).
"""

from __future__ import annotations

import socket
import threading

import pytest

from labelling.core import kept
from tests.mailserver import free_port


class SilentServer:
    """Accepts connections and never answers, like a Redis that hangs."""

    def __init__(self) -> None:
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(64)
        self.accepted: list[socket.socket] = []
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        while True:
            try:
                self.accepted.append(self.sock.accept()[0])
            except OSError:
                return

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.sock.getsockname()[1]}/0"

    def close(self) -> None:
        for conn in self.accepted:
            conn.close()
        self.sock.close()


@pytest.fixture
def silent_redis():
    server = SilentServer()
    yield server
    server.close()


DOWN = f"redis://127.0.0.1:{free_port()}/0"


class TestLimitsRedisDown:
    @pytest.fixture
    def app_config(self, app_config):
        return {
            **app_config,
            "RATELIMIT_ENABLED": True,
            "RATELIMIT_STORAGE_URI": DOWN,
            "API_RATE_LIMIT": "3 per minute",
        }

    def test_limits_fall_back_to_each_workers_memory(self, client):
        statuses = [client.get("/api/v1/organisations").status_code for _ in range(4)]
        assert statuses == [200, 200, 200, 429]

    def test_a_sign_in_is_still_answered(self, client):
        response = client.post("/login", data={"email": "a@example.org", "password": "x" * 12})
        assert response.status_code == 401


class TestLimitsFailClosed:
    @pytest.fixture
    def app_config(self, app_config):
        return {
            **app_config,
            "RATELIMIT_ENABLED": True,
            "RATELIMIT_STORAGE_URI": DOWN,
            "RATELIMIT_FAIL_CLOSED": True,
        }

    def test_limited_requests_answer_503_and_the_rest_work(self, client):
        response = client.get("/api/v1/organisations")
        assert response.status_code == 503
        assert response.json["error"]["status"] == 503 and response.headers["Retry-After"] == "5"
        page = client.post("/login", data={"email": "a@example.org", "password": "x" * 12})
        assert page.status_code == 503 and "Briefly unavailable" in page.get_data(as_text=True)
        assert client.get("/healthz").status_code == 200


class TestSilentCache:
    @pytest.fixture
    def app_config(self, app_config, silent_redis):
        return {**app_config, "CACHE_REDIS_URL": silent_redis.url}

    def test_one_request_waits_for_the_timeout_then_the_cache_rests(
        self, client, silent_redis, monkeypatch
    ):
        monkeypatch.setattr(kept, "_resting_until", 0.0)
        assert client.get("/registry").status_code == 200
        assert len(silent_redis.accepted) == 1  # tried once, timed out
        for _ in range(3):
            assert client.get("/registry").status_code == 200
        assert len(silent_redis.accepted) == 1  # then left alone
