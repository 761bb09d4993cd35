"""Import of survey responses (SPEC §6): paper or phone answers typed into a spreadsheet, one row
per response with the answers in columns "Pregunta 1", "Pregunta 2"… by question position. The
responses list exports the same columns, so an export imports back unchanged."""

import datetime as dt
from typing import Any

from django.db.models import Q
from django.utils.functional import lazy
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from clientela.core.importing import CellError, Importer, ImportField
from clientela.customers.importers import _find_customer
from clientela.customers.models import Contact

from . import services
from .exports import MAX_QUESTION_COLUMNS, question_label
from .models import Survey, SurveyResponse, SurveyVersion


def _find_survey(text: str) -> Survey:
    key = text.strip()
    match = Q(title__iexact=key) | Q(pk=int(key)) if key.isdigit() else Q(title__iexact=key)
    survey = Survey.objects.filter(match).first()
    if survey is None:
        raise CellError(_("No survey is called “%(value)s”.") % {"value": text})
    if survey.current_version_id is None:
        raise CellError(_("The survey “%(value)s” has never been published.") % {"value": survey.title})
    return survey


def question_field(position: int) -> ImportField:
    """An answer column: "Question N" in the user's language (or P1, Q1, N)."""
    return ImportField(
        f"q{position}",
        aliases=(str(position), f"p{position}", f"q{position}", f"pregunta {position}", f"question {position}"),
        label=lazy(question_label, str)(position),
    )


def version_at(survey: Survey, submitted_at: Any) -> SurveyVersion:
    """The version customers were answering at that moment (the first one for older answers)."""
    published = survey.versions.filter(published_at__isnull=False)
    return (
        published.filter(published_at__lte=submitted_at).order_by("-published_at").first()
        or published.order_by("published_at").first()
    )


class ResponseImporter(Importer):
    kind = "survey-responses"
    label = gettext_lazy("survey responses")
    permission = "surveys.change"
    model = SurveyResponse
    fields = [
        ImportField("survey", kind="ref", required=True, resolve=_find_survey, aliases=("encuesta",)),
        ImportField("customer", kind="ref", resolve=_find_customer, aliases=("cliente", "codigo cliente")),
        ImportField("contact", aliases=("contacto", "email contacto", "correo contacto")),
        ImportField("submitted_at", kind="datetime", required=True, aliases=("fecha", "fecha respuesta", "date")),
        ImportField("channel", kind="choice", choices=lambda: SurveyResponse.Channel.choices, aliases=("canal",)),
        ImportField("complete", kind="bool", aliases=("completa",)),
        ImportField("note", aliases=("nota", "observaciones")),
        *[question_field(n) for n in range(1, MAX_QUESTION_COLUMNS + 1)],
    ]

    def _contact(self, data: dict[str, Any]) -> Contact | None:
        text = (data.get("contact") or "").strip().lower()
        customer = data.get("customer")
        if not text:
            return None
        if customer is None:
            raise CellError(_("A contact needs its customer in the same row."))
        contact = Contact.objects.filter(customer=customer, email=text).first()
        if contact is None:
            raise CellError(
                _("%(customer)s has no contact with the e-mail “%(value)s”.")
                % {"customer": customer.name, "value": text}
            )
        return contact

    def match_keys(self, data: dict[str, Any]) -> list[tuple[str, Any]]:
        survey, customer = data.get("survey"), data.get("customer")
        key = "|".join(
            str(v)
            for v in (
                survey.pk if survey else "",
                customer.pk if customer else "",
                data.get("contact") or "",
                data.get("submitted_at").isoformat() if data.get("submitted_at") else "",
            )
        )
        return [("submitted_at", key)]

    def find_existing(self, data: dict[str, Any]) -> SurveyResponse | None:
        # Spreadsheets keep the minute, not the seconds: the same minute is the same response.
        minute = data["submitted_at"].replace(second=0, microsecond=0)
        return SurveyResponse.objects.filter(
            survey=data["survey"],
            customer=data.get("customer"),
            contact=self._contact(data),
            submitted_at__gte=minute,
            submitted_at__lt=minute + dt.timedelta(minutes=1),
        ).first()

    def save(self, *, actor: Any, data: dict[str, Any], existing: SurveyResponse | None) -> str:
        if existing is not None:
            return "unchanged"  # a response is a record of what the customer said: it is never overwritten
        survey = data["survey"]
        version = version_at(survey, data["submitted_at"])
        by_position = {q.position: q for q in version.questions.all()}
        raw: dict[int, Any] = {}
        for name, value in data.items():
            if not name.startswith("q") or not name[1:].isdigit() or value in (None, ""):
                continue
            question = by_position.get(int(name[1:]))
            if question is None:
                raise CellError(
                    _("Version %(v)s of the survey has no question %(n)s.") % {"v": version.number, "n": name[1:]}
                )
            raw[question.pk] = value
        complete = data.get("complete")
        try:
            services.response_record(
                actor=actor,
                survey=survey,
                raw=raw,
                submitted_at=data["submitted_at"],
                channel=data.get("channel") or SurveyResponse.Channel.PAPER,
                customer=data.get("customer"),
                contact=self._contact(data),
                complete=True if complete is None else complete,
                note=data.get("note") or "",
                version=version,
            )
        except services.validation.AnswerErrors as exc:
            raise CellError(" ".join(exc.flat())) from exc
        return "created"

    def describe(self, data: dict[str, Any]) -> str:
        customer = data.get("customer")
        return " · ".join(
            str(v)
            for v in (data.get("survey"), customer.name if customer else _("Anonymous"), data.get("submitted_at"))
            if v
        )


response_importer = ResponseImporter()
