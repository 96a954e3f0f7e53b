"""A JSON log line per request with its id; /metrics for Prometheus behind a token."""

from __future__ import annotations

import json
import logging

import pytest

from labelling.core.logs import request_log_formatter
from labelling.jobs.queue import run_in_process
from tests.factories import create_user, labelled_organisation, sign_in


def request_lines(caplog) -> list[dict]:
    """The request log's lines as its handler writes them (core.logs)."""
    formatter = request_log_formatter()
    return [
        json.loads(formatter.format(r)) for r in caplog.records if r.name == "labelling.requests"
    ]


def test_each_request_logs_one_json_line_with_its_id(client, caplog):
    caplog.set_level(logging.INFO, logger="labelling.requests")
    user = create_user("reader@example.org")
    sign_in(client, user.email)
    caplog.clear()
    response = client.get("/registry", headers={"X-Request-ID": "lb-1234"})
    assert response.headers["X-Request-ID"] == "lb-1234"
    [line] = request_lines(caplog)
    assert line["event"] == "request"
    assert line["request_id"] == "lb-1234" and line["user_id"] == user.id
    assert line["method"] == "GET" and line["route"] == "/registry" and line["status"] == 200
    assert line["sql_statements"] > 0 and line["duration_ms"] >= line["sql_ms"] >= 0


def test_an_odd_request_id_is_replaced(client, caplog):
    caplog.set_level(logging.INFO, logger="labelling.requests")
    response = client.get("/no-such-page", headers={"X-Request-ID": "<script>" + "x" * 100})
    new_id = response.headers["X-Request-ID"]
    assert len(new_id) == 32 and new_id.isalnum()
    [line] = request_lines(caplog)
    assert line["request_id"] == new_id and line["route"] == "(no route)"
    assert line["status"] == 404 and line["user_id"] is None


def test_metrics_do_not_exist_without_a_token(client):
    assert client.get("/metrics").status_code == 404


class TestMetrics:
    @pytest.fixture
    def app_config(self, app_config):
        return {**app_config, "METRICS_TOKEN": "scrape-me"}

    def test_a_wrong_token_is_refused(self, client):
        assert client.get("/metrics").status_code == 403
        assert client.get("/metrics", headers={"Authorization": "Bearer nope"}).status_code == 403

    def test_requests_jobs_outbox_and_labels_are_counted(self, app, client):
        manager = create_user("manager@example.org")
        labelled_organisation(manager, "gold")
        client.post("/password/forgot", data={"email": manager.email})  # one e-mail, kept
        run_in_process("daily", "2026-12-02")
        client.get("/registry")
        response = client.get("/metrics", headers={"Authorization": "Bearer scrape-me"})
        assert response.status_code == 200
        assert response.mimetype == "text/plain"
        text = response.get_data(as_text=True)
        assert 'labelling_requests_total{method="GET",route="/registry",status="200"}' in text
        assert 'labelling_request_duration_seconds_bucket{le="0.005",route="/registry"}' in text
        assert 'labelling_labels{status="active"} 1.0' in text
        assert 'labelling_outbox_messages{status="logged"} 1.0' in text
        assert 'labelling_jobs_total{outcome="done",task="daily"}' in text


def test_health_checks_and_a_switched_off_log_write_no_line(app, client, caplog):
    caplog.set_level(logging.INFO, logger="labelling.requests")
    assert client.get("/healthz").headers["X-Request-ID"]
    app.config["REQUEST_LOG"] = False
    client.get("/registry")
    assert request_lines(caplog) == []


def request_series() -> set[tuple]:
    """The label sets of the request counter, as /metrics would show them."""
    from prometheus_client import REGISTRY

    return {
        tuple(sorted(sample.labels.items()))
        for metric in REGISTRY.collect()
        if metric.name == "labelling_requests"
        for sample in metric.samples
        if sample.name == "labelling_requests_total"
    }


def test_an_invented_method_adds_no_metric_series(client):
    before = request_series()
    for word in ("BREW", "WHEN", "XYZZY"):
        assert client.open("/registry", method=word).status_code == 405
    added = request_series() - before
    assert len(added) <= 1  # one "OTHER" series at most
    assert all(dict(labels)["method"] == "OTHER" for labels in added)
