"""Cluster organisations, team memberships and invitations."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from decimal import Decimal
from enum import StrEnum

import pycountry
from flask_babel import lazy_gettext as _l
from sqlalchemy import (
    CheckConstraint,
    ForeignKey,
    Index,
    Numeric,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from labelling.accounts.models import User
from labelling.core.hooks import Registry
from labelling.db import TimestampMixin, UTCDateTime, trigram_index, utcnow
from labelling.extensions import db

# The technology areas of the benchmarking peer groups ("comparative portfolio").
TECHNOLOGY_AREAS = {
    "food": _l("Food"),
    "biotechnology": _l("Biotechnology"),
    "production_engineering": _l("Production and engineering"),
    "aviation_space": _l("Aviation and space"),
    "energy_environment": _l("Energy and environment"),
    "creative_industries": _l("Creative industries"),
    "construction": _l("Construction"),
    "health_medical": _l("Health and medical science"),
    "sports_leisure_tourism": _l("Sports, leisure and tourism"),
    "ict": _l("ICT"),
    "materials_chemistry": _l("New materials and chemistry"),
    "transport_logistics": _l("Transportation and logistics"),
    "maritime_water": _l("Maritime and water"),
    "other": _l("Other"),
}

# Member categories used in benchmarking; the attribute is members_<key>.
MEMBER_CATEGORIES = {
    "sme": _l("SMEs"),
    "large": _l("Large companies"),
    "rnd": _l("R&D institutions"),
    "university": _l("Universities"),
    "education": _l("Education and training providers"),
    "finance": _l("Financial intermediaries"),
    "consultant": _l("Consultants"),
    "public": _l("Public agencies"),
    "other": _l("Other members"),
}


class TeamRole(StrEnum):
    MANAGER = "manager"  # runs the organisation's account and invites others
    MEMBER = "member"  # edits the profile and applications


# name -> `countries(user)`: the countries whose organisations a member of staff acts for,
# None for every country. Bodies registers theirs (an organisation belongs to the body that
# covers its country, and to the European body); with none registered, staff reach all.
STAFF_COUNTRIES: Registry[Callable[[User], set[str] | None]] = Registry("staff countries")


def staff_countries(user) -> set[str] | None:
    """The countries `user` (staff) acts for; None: all of them."""
    reach: set[str] | None = None
    for countries_of in STAFF_COUNTRIES:
        found = countries_of(user)
        if found is not None:
            reach = found if reach is None else reach & found
    return reach


def staff_reaches(user, country_code: str) -> bool:
    if not getattr(user, "is_staff", False):
        return False
    countries = staff_countries(user)
    return countries is None or country_code in countries


class Organisation(TimestampMixin, db.Model):
    __tablename__ = "organisation"
    __table_args__ = (
        CheckConstraint("management_fte >= 0", name="fte_not_negative"),
        CheckConstraint("committed_members >= 0", name="committed_not_negative"),
        # The staff's list, by name a page at a time (core.paging), and searched by a part
        # of a name (the labels' list too).
        Index("ix_organisation_legal_name", "legal_name", "id"),
        trigram_index("ix_trgm_organisation_names", "legal_name", "short_name"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    legal_name: Mapped[str] = mapped_column(String(250), nullable=False)
    short_name: Mapped[str | None] = mapped_column(String(80))
    # The correspondence language: certificates are issued in it (English beside it).
    language: Mapped[str | None] = mapped_column(String(10))
    country_code: Mapped[str] = mapped_column(String(2), nullable=False, index=True)
    region: Mapped[str | None] = mapped_column(String(120))
    city: Mapped[str] = mapped_column(String(120), nullable=False)
    website: Mapped[str | None] = mapped_column(String(300))
    is_website_in_english: Mapped[bool] = mapped_column(default=False, nullable=False)
    technology_area: Mapped[str] = mapped_column(String(40), nullable=False, index=True)
    founding_year: Mapped[int | None]
    legal_form: Mapped[str | None] = mapped_column(String(120))
    management_fte: Mapped[Decimal] = mapped_column(
        Numeric(6, 2), default=Decimal("0"), nullable=False
    )
    members_sme: Mapped[int] = mapped_column(default=0, nullable=False)
    members_large: Mapped[int] = mapped_column(default=0, nullable=False)
    members_rnd: Mapped[int] = mapped_column(default=0, nullable=False)
    members_university: Mapped[int] = mapped_column(default=0, nullable=False)
    members_education: Mapped[int] = mapped_column(default=0, nullable=False)
    members_finance: Mapped[int] = mapped_column(default=0, nullable=False)
    members_consultant: Mapped[int] = mapped_column(default=0, nullable=False)
    members_public: Mapped[int] = mapped_column(default=0, nullable=False)
    members_other: Mapped[int] = mapped_column(default=0, nullable=False)
    committed_members: Mapped[int] = mapped_column(default=0, nullable=False)
    contact_name: Mapped[str | None] = mapped_column(String(200))
    contact_email: Mapped[str | None] = mapped_column(String(254))
    contact_phone: Mapped[str | None] = mapped_column(String(40))
    description: Mapped[str | None] = mapped_column(Text)
    updated_at: Mapped[datetime] = mapped_column(
        UTCDateTime(), default=utcnow, onupdate=utcnow, nullable=False
    )

    memberships: Mapped[list[Membership]] = relationship(
        back_populates="organisation", cascade="all, delete-orphan"
    )

    @property
    def display_name(self) -> str:
        """One name everywhere: the legal name, with the short name after it where it
        differs ("Nordic Food Cluster AB (NordicFood)")."""
        short = (self.short_name or "").strip()
        if not short or short.casefold() == self.legal_name.strip().casefold():
            return self.legal_name
        return f"{self.legal_name} ({short})"

    @property
    def country(self):
        return pycountry.countries.get(alpha_2=self.country_code)

    @property
    def country_name(self) -> str:
        country = self.country
        return country.name if country else self.country_code

    @property
    def country_alpha3(self) -> str:
        country = self.country
        return country.alpha_3 if country else self.country_code

    @property
    def technology_area_label(self) -> str:
        return str(TECHNOLOGY_AREAS.get(self.technology_area, self.technology_area))

    def members_by_category(self) -> dict[str, int]:
        return {key: getattr(self, f"members_{key}") or 0 for key in MEMBER_CATEGORIES}

    @property
    def total_members(self) -> int:
        return sum(self.members_by_category().values())

    @property
    def member_types(self) -> int:
        return sum(1 for count in self.members_by_category().values() if count > 0)

    def membership_of(self, user) -> Membership | None:
        if user is None or not getattr(user, "is_authenticated", False):
            return None
        return next((m for m in self.memberships if m.user_id == user.id), None)

    # Object-level permissions: the team and the secretariat it belongs to, nobody else.
    def can_view(self, user) -> bool:
        return self.membership_of(user) is not None or staff_reaches(user, self.country_code)

    def can_edit(self, user) -> bool:
        return self.can_view(user)

    def can_manage_team(self, user) -> bool:
        membership = self.membership_of(user)
        is_manager = membership is not None and membership.role == TeamRole.MANAGER
        return is_manager or staff_reaches(user, self.country_code)


class Membership(TimestampMixin, db.Model):
    __tablename__ = "organisation_membership"
    __table_args__ = (UniqueConstraint("organisation_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(
        ForeignKey("organisation.id", ondelete="CASCADE"), nullable=False
    )
    user_id: Mapped[int] = mapped_column(
        ForeignKey("user.id", ondelete="CASCADE"), nullable=False, index=True
    )
    role: Mapped[str] = mapped_column(String(16), default=TeamRole.MEMBER, nullable=False)

    organisation: Mapped[Organisation] = relationship(back_populates="memberships")
    user: Mapped[User] = relationship()


class Invitation(TimestampMixin, db.Model):
    __tablename__ = "organisation_invitation"

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(
        ForeignKey("organisation.id", ondelete="CASCADE"), nullable=False, index=True
    )
    email: Mapped[str] = mapped_column(String(254), nullable=False)
    role: Mapped[str] = mapped_column(String(16), default=TeamRole.MEMBER, nullable=False)
    # Only a hash of the token is stored: a database leak does not leak usable links.
    token_hash: Mapped[str] = mapped_column(String(64), unique=True, nullable=False)
    invited_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime(), nullable=False)
    accepted_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    accepted_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))

    organisation: Mapped[Organisation] = relationship()
    invited_by: Mapped[User | None] = relationship(foreign_keys=[invited_by_id])

    @property
    def is_open(self) -> bool:
        return self.accepted_at is None and self.expires_at > utcnow()


class TechnologyAreaName(TimestampMixin, db.Model):
    """A name a register wrote for a technology area that neither the areas nor the
    shipped synonyms know, mapped once by the secretariat and used at every later import."""

    __tablename__ = "technology_area_name"

    id: Mapped[int] = mapped_column(primary_key=True)
    folded: Mapped[str] = mapped_column(String(200), unique=True, nullable=False)
    written: Mapped[str] = mapped_column(String(200), nullable=False)
    area: Mapped[str] = mapped_column(String(40), nullable=False)
    mapped_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))

    @property
    def area_label(self) -> str:
        return str(TECHNOLOGY_AREAS.get(self.area, self.area))
