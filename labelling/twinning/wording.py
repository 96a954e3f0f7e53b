"""How twinning puts its reasons and refusals into words, in the reader's language."""

from __future__ import annotations

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from labelling.criteria.framework import Framework
from labelling.twinning.matching import Suggestion
from labelling.twinning.rules import Basis, PartnershipState

BASIS_LABELS = {
    Basis.GOLD: _l("Gold threshold met"),
    Basis.TOP_QUARTILE: _l("top quartile of your peers"),
    Basis.BOTTOM_QUARTILE: _l("bottom quartile of your peers"),
    Basis.BELOW_BASELINE: _l("below the baseline minimum"),
}

STATE_LABELS = {
    PartnershipState.REQUESTED: _l("Requested"),
    PartnershipState.ACTIVE: _l("Running"),
    PartnershipState.DECLINED: _l("Declined"),
    PartnershipState.WITHDRAWN: _l("Withdrawn"),
    PartnershipState.ENDED: _l("Ended"),
}


def state_label(state: str) -> str:
    return str(STATE_LABELS[PartnershipState(state)])


REFUSALS = {
    "not_opted_in": _l("Switch twinning on for your organisation first."),
    "same_organisation": _l("An organisation cannot twin with itself."),
    "switched_off": _l("This organisation does not take part in twinning at the moment."),
    "other_framework": _l("This organisation was benchmarked on another framework."),
    "already_paired": _l(
        "You already have an open request or a partnership with this organisation, or one of "
        "you declined the other recently."
    ),
    "own_capacity": _l("Your organisation has as many partnerships as it said it can take."),
    "partner_capacity": _l("This organisation has as many partnerships as it can take."),
    "not_a_side": _l("Only the two teams can do this."),
    "side": _l("Only the other organisation can answer this request."),
    "state": _l("This partnership can no longer take this step."),
    "ends_before_start": _l("The end must not be before the start."),
    "kind": _l("Choose a kind of activity."),
    "no_activity": _l("This activity is no longer in the plan."),
    "no_benchmarking": _l(
        "Twinning matches organisations on their benchmarking: it opens once a benchmarking of "
        "yours has been decided."
    ),
    "wants": _l("Choose indicators of your framework."),
    "offers": _l("You can offer only indicators you are strong on."),
    "languages": _l("Choose at least one language."),
    "nothing": _l("Choose at least one indicator to improve or to offer."),
    "contact": _l("The contact person must be a member of your team."),
}


def refusal(reason: str) -> str:
    return str(REFUSALS.get(reason, REFUSALS["state"]))


def indicator_text(framework: Framework, code: str) -> str:
    try:
        return f"{code} {framework.indicator(code).name}"
    except KeyError:
        return code


def reasons(suggestion: Suggestion, own_marks: dict[str, Basis], framework: Framework):
    """Why the partner is suggested, in sentences; no figure of theirs, only what they
    offer (and want), which they agreed to show by opting in."""
    for code in suggestion.they_offer:
        indicator = indicator_text(framework, code)
        basis = own_marks.get(code)
        if basis == Basis.BOTTOM_QUARTILE:
            yield _(
                "Strong on %(indicator)s, where you are in the bottom quartile of your peers.",
                indicator=indicator,
            )
        elif basis == Basis.BELOW_BASELINE:
            yield _(
                "Strong on %(indicator)s, where you are below the baseline minimum.",
                indicator=indicator,
            )
        else:
            yield _("Strong on %(indicator)s, which you want to improve.", indicator=indicator)
    for code in suggestion.we_offer:
        yield _(
            "You are strong on %(indicator)s, which they want to improve.",
            indicator=indicator_text(framework, code),
        )
    if suggestion.same_area:
        yield _("Same technology area.")
    if suggestion.abroad:
        yield _("In another country: a cross-border partnership.")
