"""Organisation profile and invitation forms."""

from __future__ import annotations

from datetime import date

import pycountry
from flask import current_app
from flask_babel import get_locale
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    DecimalField,
    EmailField,
    Form,
    IntegerField,
    SearchField,
    SelectField,
    StringField,
    TextAreaField,
    URLField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import (
    URL,
    DataRequired,
    Email,
    InputRequired,
    Length,
    NumberRange,
    Optional,
    ValidationError,
)

from labelling.core.forms import single_line, stripped
from labelling.core.languages import country_name, language_name
from labelling.core.text import fold
from labelling.organisations.models import MEMBER_CATEGORIES, TECHNOLOGY_AREAS, TeamRole


def language_choices() -> list[SelectChoice]:
    """The platform's languages, each named in itself (Deutsch, Français, Polski)."""
    return [SelectChoice(code, language_name(code)) for code in current_app.config["LANGUAGES"]]


def country_choices() -> list[SelectChoice]:
    """Every country, named and ordered in the reader's language (Österreich among the O's)."""
    named = [(c.alpha_2, country_name(c.alpha_2)) for c in pycountry.countries]
    named.sort(key=lambda pair: fold(pair[1]))
    return [SelectChoice("", _l("Choose a country"))] + [
        SelectChoice(code, name) for code, name in named
    ]


def any_country_choices() -> list[SelectChoice]:
    """Every country for a filter, with "any" first."""
    return [SelectChoice("", _l("Any country")), *country_choices()[1:]]


def any_area_choices() -> list[SelectChoice]:
    return [SelectChoice("", _l("Any technology area"))] + [
        SelectChoice(key, label) for key, label in TECHNOLOGY_AREAS.items()
    ]


class OrganisationFilterForm(Form):
    """The staff's list of organisations, narrowed: read from the address (a GET, which
    changes nothing, so no CSRF token), every field optional."""

    q = SearchField(_l("Name"), validators=[Optional(), Length(max=100)], filters=[stripped])
    country = SelectField(_l("Country"), choices=any_country_choices, validators=[Optional()])
    technology_area = SelectField(
        _l("Technology area"), choices=any_area_choices, validators=[Optional()]
    )


def _founding_year_not_in_future(form, field):
    if field.data is not None and field.data > date.today().year:
        raise ValidationError(_l("The founding year cannot be in the future."))


def _member_count_field(label):
    return IntegerField(
        label,
        default=0,
        validators=[InputRequired(), NumberRange(min=0, max=100000)],
        render_kw={"inputmode": "numeric", "min": 0},
    )


class OrganisationForm(FlaskForm):
    legal_name = StringField(
        _l("Legal name"), validators=[DataRequired(), single_line, Length(max=250)]
    )
    short_name = StringField(
        _l("Short name"),
        validators=[Optional(), single_line, Length(max=80)],
        description=_l("The name the cluster is known by, if it differs from the legal name."),
    )
    language = SelectField(
        _l("Correspondence language"),
        validators=[DataRequired()],
        description=_l("Certificates are issued in it, with English beside it."),
    )
    country_code = SelectField(_l("Country"), validators=[DataRequired()])
    region = StringField(_l("Region"), validators=[Optional(), single_line, Length(max=120)])
    city = StringField(_l("City"), validators=[DataRequired(), single_line, Length(max=120)])
    website = URLField(
        _l("Website"),
        validators=[
            Optional(),
            URL(require_tld=True, message=_l("Enter a full web address.")),
            Length(max=300),
        ],
        description=_l("Starting with https://"),
    )
    is_website_in_english = BooleanField(_l("The website has an English version"))
    technology_area = SelectField(
        _l("Technology area"),
        validators=[DataRequired()],
        description=_l("Used to compare the cluster with its peers in benchmarking."),
    )
    founding_year = IntegerField(
        _l("Year the cluster organisation was founded"),
        validators=[Optional(), NumberRange(min=1800), _founding_year_not_in_future],
    )
    legal_form = StringField(
        _l("Legal form"), validators=[Optional(), single_line, Length(max=120)]
    )
    management_fte = DecimalField(
        _l("Cluster management staff (full-time equivalents)"),
        places=2,
        default=0,
        validators=[InputRequired(), NumberRange(min=0, max=1000)],
        description=_l("For example 2.5 for two full-time and one half-time person."),
    )
    members_sme = _member_count_field(MEMBER_CATEGORIES["sme"])
    members_large = _member_count_field(MEMBER_CATEGORIES["large"])
    members_rnd = _member_count_field(MEMBER_CATEGORIES["rnd"])
    members_university = _member_count_field(MEMBER_CATEGORIES["university"])
    members_education = _member_count_field(MEMBER_CATEGORIES["education"])
    members_finance = _member_count_field(MEMBER_CATEGORIES["finance"])
    members_consultant = _member_count_field(MEMBER_CATEGORIES["consultant"])
    members_public = _member_count_field(MEMBER_CATEGORIES["public"])
    members_other = _member_count_field(MEMBER_CATEGORIES["other"])
    committed_members = IntegerField(
        _l("Committed members"),
        default=0,
        validators=[InputRequired(), NumberRange(min=0, max=100000)],
        description=_l(
            "Members that signed an agreement, pay a fee or give regular support, "
            "or take part actively and regularly."
        ),
    )
    contact_name = StringField(
        _l("Contact person"), validators=[Optional(), single_line, Length(max=200)]
    )
    contact_email = EmailField(
        _l("Contact e-mail"),
        validators=[Optional(), Email(check_deliverability=False), Length(max=254)],
    )
    contact_phone = StringField(
        _l("Contact phone"), validators=[Optional(), single_line, Length(max=40)]
    )
    description = TextAreaField(_l("Short description"), validators=[Optional(), Length(max=4000)])

    member_fields = [f"members_{key}" for key in MEMBER_CATEGORIES]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.language.choices = language_choices()
        if not self.language.data:
            self.language.data = str(get_locale())
        self.country_code.choices = country_choices()
        self.technology_area.choices = [SelectChoice("", _l("Choose a technology area"))] + [
            SelectChoice(key, label) for key, label in TECHNOLOGY_AREAS.items()
        ]

    def validate_committed_members(self, field):
        total = sum(self[name].data or 0 for name in self.member_fields)
        if field.data is not None and field.data > total:
            raise ValidationError(
                _l(
                    "Committed members (%(c)s) cannot exceed all members (%(t)s).",
                    c=field.data,
                    t=total,
                )
            )

    def validate_website(self, field):
        if field.data and not field.data.lower().startswith(("https://", "http://")):
            raise ValidationError(_l("Enter a full web address starting with https://"))


class InvitationForm(FlaskForm):
    email = EmailField(
        _l("E-mail address of the person to invite"),
        validators=[DataRequired(), Email(check_deliverability=False), Length(max=254)],
    )
    role = SelectField(
        _l("Role in the team"),
        choices=[
            SelectChoice(
                TeamRole.MEMBER.value, _l("Team member: edits the profile and applications")
            ),
            SelectChoice(
                TeamRole.MANAGER.value, _l("Manager: also invites and removes team members")
            ),
        ],
        default=TeamRole.MEMBER.value,
    )
