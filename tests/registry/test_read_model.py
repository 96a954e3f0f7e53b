"""The registry's read model follows the label lifecycle in the same transaction, and a
rebuild from the labels gives exactly what the lifecycle kept."""

from __future__ import annotations

from datetime import date, timedelta

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from labelling.certificates import services as certificates
from labelling.certificates.imports import import_label
from labelling.certificates.models import Label
from labelling.extensions import db
from labelling.frameworks.services import current_framework
from labelling.organisations.models import Organisation
from labelling.organisations.services import update_organisation
from labelling.registry import search
from labelling.registry.models import RegistryEntry
from labelling.registry.sync import ROW_COLUMNS, data_version, rebuild
from tests.factories import create_org, create_user, labelled_organisation

TODAY = date.today()


def stored_rows() -> list[tuple]:
    columns = [RegistryEntry.__table__.c[name] for name in ROW_COLUMNS if name != "cell_id"]
    return sorted(tuple(row) for row in db.session.execute(select(*columns)))


def version() -> int:
    return data_version(db.session.connection())[0]


def listed_names(today: date = TODAY) -> list[str]:
    page = search.search(search.RegistryQuery(per_page=100), today)
    return [entry.legal_name for entry in page.entries]


# One lifecycle step: (what, which organisation, a number that picks a level, a date ...).
STEPS = st.lists(
    st.tuples(
        st.sampled_from(
            ["award", "renew", "suspend", "restore", "revoke", "reissue", "rename", "describe"]
        ),
        st.integers(min_value=0, max_value=2),
        st.integers(min_value=0, max_value=1500),
    ),
    min_size=1,
    max_size=10,
)


def apply_step(step, organisations, actor, framework) -> None:
    what, which, number = step
    organisation = organisations[which]
    labels = certificates.labels_of(organisation.id)
    level = ("bronze", "silver", "gold")[number % 3]
    if what in ("award", "renew") or not labels:
        assessed = TODAY - timedelta(days=number)
        if what == "renew" and labels:  # a renewal of the newest label, before it ends
            assessed = min(TODAY, labels[0].valid_until - timedelta(days=number % 60))
        import_label(organisation, level, assessed, framework, actor, "Test", number % 4 == 0)
    elif what in ("suspend", "restore", "revoke"):
        label = labels[number % len(labels)]
        if certificates.can_change(label, what):
            certificates.change_label_status(label, what, actor, "A reason")
    elif what == "reissue":
        certificates.issue_certificate(labels[number % len(labels)], framework, actor)
    elif what == "rename":
        update_organisation(organisation, {"legal_name": f"Renamed Cluster {number}"}, actor)
    else:  # a field the registry does not show
        update_organisation(organisation, {"description": f"About us, take {number}"}, actor)
    db.session.commit()


@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(steps=STEPS)
def test_a_rebuild_equals_what_the_lifecycle_kept(app, steps):
    actor = create_user()
    framework = current_framework()
    organisations = [create_org(actor) for _ in range(3)]
    for step in steps:
        apply_step(step, organisations, actor, framework)
    kept = stored_rows()
    rebuild(db.session.connection())
    db.session.commit()
    assert stored_rows() == kept


def test_every_lifecycle_step_moves_the_data_version_and_shows_at_once(app):
    manager = create_user()
    label = labelled_organisation(manager, "silver", legal_name="Pôle Mer Bretagne")
    assert listed_names() == ["Pôle Mer Bretagne"]
    before = version()
    certificates.change_label_status(label, "suspend", manager, "Under review")
    db.session.commit()
    assert version() > before
    row = db.session.scalar(select(RegistryEntry).filter_by(label_id=label.id))
    assert (row.status, row.status_reason) == ("suspended", "Under review")
    certificates.change_label_status(label, "revoke", manager, "Dissolved")
    db.session.commit()
    assert listed_names() == []  # revoked today: no longer listed today


def test_a_change_that_fails_leaves_the_registry_as_it_was(app):
    manager = create_user()
    label = labelled_organisation(manager, "gold", legal_name="Alpine Space Hub")
    before, rows = version(), stored_rows()
    label.status, label.status_reason = "suspended", "Half-written"
    db.session.flush()  # the read model follows inside the transaction ...
    assert db.session.scalar(select(RegistryEntry.status)) == "suspended"
    db.session.rollback()  # ... and goes back with it
    assert (version(), stored_rows()) == (before, rows)


def test_expiry_needs_no_job_the_listing_ends_with_the_date(app):
    manager = create_user()
    label = labelled_organisation(
        manager, "bronze", TODAY - timedelta(days=400), legal_name="Danube Water Cluster"
    )
    last_day = label.valid_until
    assert listed_names(last_day) == ["Danube Water Cluster"]
    assert listed_names(last_day + timedelta(days=1)) == []
    assert listed_names(label.valid_from - timedelta(days=1)) == []


def test_a_renewal_is_listed_from_the_day_after_the_old_label_ends(app):
    manager = create_user()
    first = labelled_organisation(manager, "silver", TODAY - timedelta(days=600))
    renewal = import_label(
        first.organisation,
        "silver",
        TODAY - timedelta(days=10),
        current_framework(),
        manager,
        "Test",
        with_certificate=False,
    )
    db.session.commit()
    assert renewal.valid_from == first.valid_until + timedelta(days=1)
    on_the_last_day = search.search(search.RegistryQuery(), first.valid_until)
    on_the_next_day = search.search(search.RegistryQuery(), renewal.valid_from)
    assert [e.label_id for e in on_the_last_day.entries] == [first.id]
    assert [e.label_id for e in on_the_next_day.entries] == [renewal.id]


def test_public_facts_follow_organisation_edits_and_others_do_not_move_the_version(app):
    manager = create_user()
    label = labelled_organisation(manager, "gold", legal_name="Old Name Cluster", city="Graz")
    organisation = db.session.get(Organisation, label.organisation_id)
    before = version()
    update_organisation(organisation, {"description": "Not shown in the registry"}, manager)
    db.session.commit()
    assert version() == before
    update_organisation(organisation, {"legal_name": "Styrian Wood Cluster"}, manager)
    db.session.commit()
    assert version() > before
    page = search.search(search.RegistryQuery(q="styrian"), TODAY)
    assert [entry.legal_name for entry in page.entries] == ["Styrian Wood Cluster"]
    assert search.search(search.RegistryQuery(q="old name"), TODAY).entries == []
    # An organisation that never held a label is not public: its edits change nothing.
    private = create_org(manager)
    current = version()
    update_organisation(private, {"legal_name": "Private Cluster"}, manager)
    db.session.commit()
    assert version() == current


def test_a_reissued_certificate_is_the_one_the_registry_names(app):
    manager = create_user()
    label = labelled_organisation(manager, "gold", with_certificate=True)
    first = certificates.current_certificate(label)
    second = certificates.issue_certificate(label, current_framework(), manager)
    db.session.commit()
    assert first.number != second.number
    assert db.session.scalar(select(RegistryEntry.certificate_number)) == second.number


def test_the_rebuild_command(app):
    manager = create_user()
    labelled_organisation(manager, "bronze")
    labelled_organisation(manager, "gold")
    db.session.execute(RegistryEntry.__table__.delete())
    db.session.commit()
    result = app.test_cli_runner().invoke(args=["registry-rebuild"])
    assert result.exit_code == 0, result.output
    assert "Registry rebuilt: 2 row(s) in " in result.output
    assert len(listed_names()) == 2
    assert db.session.scalar(select(Label.id).limit(1)) is not None
