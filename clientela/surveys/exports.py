"""Columns of the CSV/XLSX exports of the survey lists."""

from typing import Any

from django.utils.functional import lazy
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from clientela.core.exporting import Column

# Answer columns "Question 1"… of the responses export and import.
MAX_QUESTION_COLUMNS = 40


def question_label(position: int) -> str:
    return _("Question %(n)s") % {"n": position}


def survey_columns() -> list[Column]:
    return [
        Column("title", gettext_lazy("title"), lambda s: s.title, 36),
        Column("status", gettext_lazy("status"), lambda s: s.get_status_display()),
        Column("touchpoint", gettext_lazy("touchpoint"), lambda s: s.get_touchpoint_display()),
        Column("language", gettext_lazy("language"), lambda s: s.get_language_display()),
        Column("counts_toward_sc", gettext_lazy("counts toward SC"), lambda s: s.counts_toward_sc),
        Column("trigger", gettext_lazy("sent automatically"), lambda s: s.get_trigger_display(), 30),
        Column("version", gettext_lazy("version"), lambda s: s.current_version.number if s.current_version else None),
        Column("responses", gettext_lazy("responses"), lambda s: s.response_count or 0),
        Column("invitations", gettext_lazy("invitations"), lambda s: s.invitation_count or 0),
        Column("first_published_at", gettext_lazy("first published"), lambda s: s.first_published_at),
    ]


def invitation_columns() -> list[Column]:
    return [
        Column("created_at", gettext_lazy("created at"), lambda i: i.created_at),
        Column("survey", gettext_lazy("survey"), lambda i: i.survey.title, 30),
        Column("customer", gettext_lazy("customer"), lambda i: i.customer.code, 14),
        Column("customer_name", gettext_lazy("name"), lambda i: i.customer.name, 30),
        Column("contact", gettext_lazy("contact"), lambda i: str(i.contact), 24),
        Column("email", gettext_lazy("e-mail"), lambda i: i.contact.email, 28),
        Column("origin", gettext_lazy("origin"), lambda i: i.get_origin_display()),
        Column("status", gettext_lazy("status"), lambda i: i.get_status_display()),
        Column("sent_at", gettext_lazy("e-mail sent"), lambda i: i.sent_at),
        Column("reminded_at", gettext_lazy("reminder sent"), lambda i: i.reminded_at),
        Column("responded_at", gettext_lazy("answered"), lambda i: i.responded_at),
        Column("expires_at", gettext_lazy("expires"), lambda i: i.expires_at),
    ]


def _answer(response: Any, position: int) -> Any:
    for answer in response.answers.all():
        if answer.question.position == position:
            value = answer.value
            return " | ".join(value) if isinstance(value, list) else value
    return None


def response_columns(questions: int = 0) -> list[Column]:
    """The columns the survey-responses importer reads back, answers by question position."""
    return [
        Column("survey", gettext_lazy("survey"), lambda r: r.survey.title, 30),
        Column("customer", gettext_lazy("customer"), lambda r: r.customer.code if r.customer_id else "", 14),
        Column("customer_name", gettext_lazy("name"), lambda r: r.customer.name if r.customer_id else "", 30),
        Column("contact", gettext_lazy("contact"), lambda r: r.contact.email if r.contact_id else "", 28),
        Column("submitted_at", gettext_lazy("answered at"), lambda r: r.submitted_at),
        Column("channel", gettext_lazy("channel"), lambda r: r.get_channel_display()),
        Column("complete", gettext_lazy("complete"), lambda r: r.complete),
        Column("note", gettext_lazy("note"), lambda r: r.note, 30),
        *[
            Column(f"q{n}", lazy(question_label, str)(n), lambda r, n=n: _answer(r, n), 16)
            for n in range(1, questions + 1)
        ],
        Column("version", gettext_lazy("version"), lambda r: r.version.number),
        Column("headline_value", gettext_lazy("headline score"), lambda r: r.headline_value),
        Column(
            "scale",
            gettext_lazy("scale"),
            lambda r: f"{r.headline_question.scale_min}–{r.headline_question.scale_max}" if r.headline_question else "",
        ),
        Column("entered_by", gettext_lazy("entered by"), lambda r: str(r.entered_by) if r.entered_by_id else ""),
    ]


def followup_columns() -> list[Column]:
    return [
        Column("created_at", gettext_lazy("created at"), lambda f: f.created_at),
        Column("customer", gettext_lazy("customer"), lambda f: f.customer.code, 14),
        Column("customer_name", gettext_lazy("name"), lambda f: f.customer.name, 30),
        Column("survey", gettext_lazy("survey"), lambda f: f.response.survey.title, 30),
        Column("score", gettext_lazy("headline score"), lambda f: f.response.headline_value),
        Column("assigned_to", gettext_lazy("assigned to"), lambda f: str(f.assigned_to) if f.assigned_to_id else ""),
        Column("status", gettext_lazy("status"), lambda f: f.get_status_display()),
        Column("due_date", gettext_lazy("due date"), lambda f: f.due_date),
        Column("resolution", gettext_lazy("outcome"), lambda f: f.resolution, 40),
        Column("closed_at", gettext_lazy("closed at"), lambda f: f.closed_at),
    ]
