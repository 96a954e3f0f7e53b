"""Registries and page signals: how a lower layer reaches what higher layers register."""

from __future__ import annotations

import pytest
from blinker import Namespace

from labelling.core.hooks import Registry, page_context


def send_twice(): ...


def other(): ...


def test_entries_come_back_in_the_order_they_were_registered():
    registry = Registry("tasks")
    registry.register("b", other)
    registry.register("a", send_twice)
    assert list(registry) == [other, send_twice]
    assert registry.names() == ["b", "a"]
    assert registry["a"] is send_twice
    assert "a" in registry and "c" not in registry
    assert len(registry) == 2


def test_registering_the_same_entry_again_changes_nothing():
    """Each application a process builds (tests, commands) registers anew."""
    registry = Registry("tasks")
    registry.register("a", send_twice)
    registry.register("a", send_twice)
    assert list(registry) == [send_twice]


def test_another_entry_under_a_taken_name_is_refused():
    registry = Registry("daily duties")
    registry.register("a", send_twice)
    with pytest.raises(ValueError, match="daily duties: 'a' is registered already"):
        registry.register("a", other)
    assert registry["a"] is send_twice


def test_an_unknown_name_says_which_registry_lacks_it():
    with pytest.raises(LookupError, match="background tasks: nothing is registered as 'x'"):
        Registry("background tasks")["x"]


def test_a_page_gets_what_every_receiver_adds():
    page = Namespace().signal("page")

    def labels(sender, **kwargs):
        return {"labels": [sender, kwargs["user"]]}

    def nothing(sender, **kwargs):
        return None

    page.connect(labels)
    page.connect(nothing)
    assert page_context(page, "org", user="ana") == {"labels": ["org", "ana"]}
    assert page_context(Namespace().signal("unheard"), "org") == {}


def test_the_application_registers_every_feature(app):
    """What the factory's register_hooks() wires, as the worker and the pages need it."""
    from labelling.accounts.personal_data import UPLOADED_FILES
    from labelling.assessments.services import LABEL_SOURCES
    from labelling.core.observability import FIGURES
    from labelling.jobs.queue import TASKS
    from labelling.jobs.scheduler import DAILY_DUTIES, TICK_DUTIES
    from labelling.notifications.reminders import REMINDERS
    from labelling.notifications.services import ADDRESS_LANGUAGES

    assert set(TASKS.names()) == {
        "daily",
        "mail.deliver",
        "outbox.sweep",
        "certificate.render",
        "agreement.refresh",
        "agreement.refresh-version",
        "drafts.simulate",
        "registry.warm",
        "registry.accountability",
        "benchmarking.report_pdf",
    }
    assert TICK_DUTIES.names() == ["registry.accountability"]
    assert DAILY_DUTIES.names() == ["reminders", "purge-sessions", "purge-evidence"]
    assert REMINDERS.names() == [
        "answers-due",
        "overdue-assessments",
        "label-expiry",
        "overdue-panels",
        "twinning-unanswered",
    ]
    assert FIGURES.names() == ["outbox", "labels"]
    assert UPLOADED_FILES.names() == ["evidence", "appeal-documents"]
    assert LABEL_SOURCES.names() == ["platform"]
    assert ADDRESS_LANGUAGES.names() == ["accounts"]
