"""A second step before what cannot be undone (award, refuse, revoke, withdraw, taking an
assessor off): the first POST answers with a page that names the consequence and posts the
same values again with `confirmed`; only that second POST acts. No JavaScript needed."""

from __future__ import annotations

from flask import render_template, request

CONFIRMED = "confirmed"


def is_confirmed() -> bool:
    return request.form.get(CONFIRMED) == "yes"


def confirmation_page(
    *,
    title: str,
    consequence: str,
    button: str,
    cancel_url: str,
    form=None,
    status: int = 200,
    quoted: tuple[str, str] | None = None,
):
    """The confirmation step for the current POST. Every submitted value travels on as a
    hidden field (the CSRF token included), except those of `form`, whose fields the page
    shows to be filled or corrected here (a reason asked only at this step). `quoted`:
    (what it is, the words) of something the step will publish, shown as it will read."""
    shown = {field.name for field in form} if form is not None else set()
    kept = [
        (name, value)
        for name, value in request.form.items(multi=True)
        if name != CONFIRMED and name not in shown
    ]
    return render_template(
        "partials/confirm.html",
        title=title,
        consequence=consequence,
        button=button,
        cancel_url=cancel_url,
        form=form,
        kept=kept,
        quoted=quoted,
        action=request.path,
    ), status
