"""NUL characters never reach a view: PostgreSQL refuses them in text (a 500 before)."""

from __future__ import annotations

from sqlalchemy import select

from labelling.assessors.models import Accreditation
from labelling.extensions import db
from tests.factories import create_assessor, sign_in


def test_nul_characters_are_dropped_from_forms_and_queries(client, secretariat):
    """Found by the fuzz test on PostgreSQL: suspending an accreditation with a NUL in the
    reason answered 500 (psycopg.DataError)."""
    assessor = create_assessor("a@example.org")
    accreditation = db.session.scalars(select(Accreditation)).first()
    sign_in(client, secretariat.email)
    response = client.post(
        f"/assessors/accreditations/{accreditation.id}/suspend",
        data={f"suspend-{accreditation.id}-reason": "Con\x00flict of interest"},
    )
    assert response.status_code == 303
    db.session.refresh(accreditation)
    assert accreditation.suspension_reason == "Conflict of interest"
    assert client.get("/registry?q=food\x00").status_code == 200
    assert client.get("/api/v1/organisations?q=%00").status_code == 200
    assert assessor is not None
