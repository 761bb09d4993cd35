"""Columns of the training lists' CSV and XLSX exports."""

from django.utils.translation import gettext_lazy as _

from clientela.core.exporting import Column


def _name(user) -> str:
    return (user.get_full_name() or user.get_username()) if user else ""


def _requirements(competence) -> str:
    return ", ".join(f"{r.get_role_display()} ({r.required_level})" for r in competence.requirements.all())


def competence_columns() -> list[Column]:
    return [
        Column("code", _("Code"), lambda c: c.code),
        Column("name", _("Name"), lambda c: c.name, 40),
        Column("validity_months", _("Valid for (months)"), lambda c: c.validity_months),
        Column("required_of", _("Required of"), _requirements, 50),
        Column("description", _("Description"), lambda c: c.description, 50),
    ]


def course_columns() -> list[Column]:
    return [
        Column("code", _("Code"), lambda c: c.code),
        Column("title", _("Title"), lambda c: c.title, 40),
        Column("duration_hours", _("Duration (hours)"), lambda c: c.duration_hours),
        Column("modality", _("Modality"), lambda c: c.get_modality_display()),
        Column("provider", _("Provider"), lambda c: c.provider_name or c.get_provider_display()),
        Column("competences", _("Competences developed"), lambda c: ", ".join(x.name for x in c.competences.all()), 40),
        Column("sessions", _("Sessions"), lambda c: c.session_count),
    ]


def session_columns() -> list[Column]:
    return [
        Column("number", _("Number"), lambda s: s.number),
        Column("course", _("Course"), lambda s: s.course.title, 40),
        Column("starts_at", _("Date and time"), lambda s: s.starts_at),
        Column("duration_hours", _("Duration (hours)"), lambda s: s.duration_hours),
        Column("trainer", _("Trainer"), lambda s: s.trainer_display, 24),
        Column("modality", _("Modality"), lambda s: s.get_modality_display()),
        Column("location", _("Place or link"), lambda s: s.location, 28),
        Column("status", _("Status"), lambda s: s.get_status_display()),
        Column("attendees", _("Attendees"), lambda s: s.attendee_count),
        Column("origin", _("Origin"), lambda s: s.origin_label),
    ]


def evaluation_columns() -> list[Column]:
    return [
        Column("evaluated_on", _("Evaluated on"), lambda e: e.evaluated_on),
        Column("person", _("Person"), lambda e: _name(e.person), 24),
        Column("competence", _("Competence"), lambda e: e.competence.name, 32),
        Column("session", _("After the session"), lambda e: e.session.number if e.session_id else ""),
        Column("method", _("Method"), lambda e: e.get_method_display()),
        Column("level_before", _("Level before"), lambda e: e.level_before),
        Column("level_after", _("Level reached"), lambda e: e.level_after),
        Column("result", _("Result"), lambda e: e.get_result_display()),
        Column("valid_until", _("Valid until"), lambda e: e.valid_until),
        Column("evaluator", _("Evaluator"), lambda e: _name(e.evaluator), 24),
    ]


def need_columns() -> list[Column]:
    return [
        Column("person", _("Person"), lambda n: _name(n.person), 24),
        Column("competence", _("Competence"), lambda n: n.competence.name, 32),
        Column("source", _("Source"), lambda n: n.get_source_display()),
        Column("reason", _("Reason"), lambda n: n.reason, 40),
        Column("due_date", _("Needed by"), lambda n: n.due_date),
        Column("status", _("Status"), lambda n: n.get_status_display()),
        Column("session", _("Planned session"), lambda n: n.session.number if n.session_id else ""),
        Column("origin", _("Origin"), lambda n: n.origin_label),
    ]
