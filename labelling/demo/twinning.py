"""Twinning in the demo: a dozen peers with a decided benchmarking take part, so that the
demo managers meet real suggestions; NordicFood (Mette) runs one partnership with a plan
and has one request waiting for her answer. Jan's SpaceTech has a decided benchmarking
too, but has not opted in: that is for the visitor (and the browser scenario) to do.
Safe to run twice: nothing is added once NordicFood has a twinning profile."""

from __future__ import annotations

from datetime import date, timedelta

from labelling.accounts.services import find_user_by_email
from labelling.assessments.models import Application
from labelling.assessments.workflow import State
from labelling.demo.cases import PEERS_MANAGER, decide, organisation_named
from labelling.extensions import db
from labelling.twinning import partnerships, profiles
from labelling.twinning.rules import CountryChoice
from labelling.twinning.standing import decided_entry, marks_of, strengths, weaknesses

# Peers that take part: (name, working languages).
TAKING_PART = [
    ("Food Valley Wageningen", ["nl", "en", "de"]),
    ("Pôle Agri Sud-Ouest", ["fr", "en"]),
    ("Cluster Ernährung Baden-Württemberg", ["de", "en"]),
    ("Clúster Alimentario de Galicia", ["es", "en"]),
    ("Cluster Agrifood Nazionale", ["it", "en"]),
    ("Wielkopolski Klaster Spożywczy", ["pl", "en"]),
    ("Food & Bio Cluster Denmark", ["da", "en"]),
    ("Cluster Agrifood Flanders", ["nl", "fr", "en"]),
    ("Portugal Foods Cluster", ["pt", "en", "es"]),
    ("Lebensmittelcluster Niederösterreich", ["de", "en"]),
    ("Dolina Lotnicza", ["pl", "en"]),
    ("Czech Aerospace Cluster", ["cs", "en", "de"]),
]
NORDIC = "Nordic Food Innovation Cluster ApS"
SPACETECH = "Klaster Technologii Kosmicznych"
RUNNING_WITH = "Food Valley Wageningen"
WAITING_FROM = "Pôle Agri Sud-Ouest"


def _choices(organisation, languages, contact, capacity) -> profiles.ProfileChoices:
    """What the benchmarking suggests: its weak indicators wanted, its strong ones offered."""
    found = marks_of(organisation.id)
    return profiles.ProfileChoices(
        is_active=True,
        wants=sorted(weaknesses(found)),
        offers=sorted(strengths(found)),
        languages=languages,
        country_choice=CountryChoice.PREFER_ABROAD.value,
        same_area_only=False,
        capacity=capacity,
        contact_id=contact.id,
    )


def _decided_peer(name: str):
    organisation = organisation_named(name)
    if organisation is None:
        return None
    if decided_entry(organisation.id) is None:
        application = db.session.scalar(
            db.select(Application).where(
                Application.organisation_id == organisation.id,
                Application.state == State.SUBMITTED.value,
            )
        )
        if application is None:
            return None
        decide(application, "refused", date.today() - timedelta(days=30))
    return organisation


def load_demo_twinning() -> None:
    nordic = organisation_named(NORDIC)
    if nordic is None or profiles.profile_of(nordic.id) is not None:
        return
    petra = find_user_by_email(PEERS_MANAGER[0])
    mette = find_user_by_email("manager@example.org")
    peers = {}
    for name, languages in TAKING_PART:
        organisation = _decided_peer(name)
        if organisation is None:
            continue
        profiles.save_profile(organisation, _choices(organisation, languages, petra, 3), petra)
        peers[name] = organisation
    profiles.save_profile(nordic, _choices(nordic, ["da", "en"], mette, 3), mette)
    _running_partnership(nordic, peers.get(RUNNING_WITH), mette, petra)
    waiting = peers.get(WAITING_FROM)
    if waiting is not None:
        partnerships.send_request(
            waiting,
            nordic,
            "We would like to learn how you run your members' innovation projects; in turn we "
            "can share how we finance our cluster management.",
            petra,
        )
    db.session.flush()


def _running_partnership(nordic, partner, mette, petra) -> None:
    if partner is None:
        return
    partnership = partnerships.send_request(
        nordic,
        partner,
        "Could we learn from your training of the cluster management? We can show how we "
        "work with our members on strategy.",
        mette,
    )
    partnerships.accept(partnership, petra)
    today = date.today()
    partnerships.save_plan(
        partnership,
        mette,
        partnership.targets[:3],
        "Two visits a year, one staff exchange; the next benchmarking in spring shows "
        "whether it helped.",
        today + timedelta(days=365),
    )
    partnerships.add_activity(
        partnership, mette, "visit", "Study visit to Wageningen", today + timedelta(days=30), None
    )
    partnerships.add_activity(
        partnership,
        petra,
        "staff_exchange",
        "Two weeks of staff exchange in Copenhagen",
        today + timedelta(days=90),
        today + timedelta(days=104),
    )
    partnerships.add_activity(
        partnership,
        mette,
        "workshop",
        "Joint workshop on training",
        today + timedelta(days=150),
        None,
    )
