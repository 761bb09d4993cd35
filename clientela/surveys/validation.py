"""The rules for questions and answers, written once: the builder, the API, the public page, staff
entry and the importer all go through these functions (via the services)."""

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from clientela.core.importing import normalise

from .models import CHOICE_KINDS, SCALES, Question

MAX_TEXT_ANSWER = 5000
MAX_CHOICES = 30
MAX_QUESTIONS = 60
YES_WORDS = {"yes", "y", "si", "s", "true", "1", "verdadero"}
NO_WORDS = {"no", "n", "false", "0", "falso"}


# --- questions ----------------------------------------------------------------------------------


def clean_question(data: Mapping[str, Any]) -> dict[str, Any]:
    """One question's fields, normalised (scales and defaults by kind) or a ValidationError by field."""
    errors: dict[str, list[str]] = {}
    kind = data.get("kind") or ""
    if kind not in Question.Kind.values:
        errors["kind"] = [_("Choose a kind of question.")]
    text = str(data.get("text") or "").strip()
    if not text:
        errors["text"] = [_("Write the question.")]
    elif len(text) > 500:
        errors["text"] = [_("Keep the question under 500 characters.")]
    cleaned: dict[str, Any] = {
        "text": text,
        "help_text": str(data.get("help_text") or "").strip()[:300],
        "kind": kind,
        "required": bool(data.get("required", True)),
        "is_headline": bool(data.get("is_headline", False)),
        "scale_min": None,
        "scale_max": None,
        "satisfied_min": None,
        "choices": [],
    }
    if kind in SCALES:
        low, high, default_satisfied = SCALES[kind]
        for name, fixed in (("scale_min", low), ("scale_max", high)):
            given = data.get(name)
            if given not in (None, "") and _as_int(given) != fixed:
                errors[name] = [
                    _("This kind of question always uses the scale %(low)s–%(high)s.") % {"low": low, "high": high}
                ]
        cleaned.update(scale_min=low, scale_max=high)
        satisfied = data.get("satisfied_min")
        if satisfied in (None, ""):
            cleaned["satisfied_min"] = default_satisfied
        else:
            value = _as_int(satisfied)
            if value is None or not low <= value <= high:
                errors["satisfied_min"] = [
                    _("Choose a value between %(low)s and %(high)s.") % {"low": low, "high": high}
                ]
            else:
                cleaned["satisfied_min"] = value
    elif data.get("satisfied_min") not in (None, ""):
        errors["satisfied_min"] = [_("Only questions with a scale have a “satisfied from” value.")]
    if kind in CHOICE_KINDS:
        choices = data.get("choices") or []
        if isinstance(choices, str):
            choices = choices.splitlines()
        if not isinstance(choices, list | tuple):
            errors["choices"] = [_("Write one option per line.")]
            choices = []
        options: list[str] = []
        for option in choices:
            option = str(option).strip()
            if option and normalise(option) not in {normalise(o) for o in options}:
                options.append(option[:200])
        if len(options) < 2:
            errors["choices"] = [_("Write at least two different options, one per line.")]
        elif len(options) > MAX_CHOICES:
            errors["choices"] = [_("Use at most %(max)s options.") % {"max": MAX_CHOICES}]
        cleaned["choices"] = options
    if cleaned["is_headline"] and kind not in SCALES:
        errors["is_headline"] = [_("The headline question must be a 1–5, 0–10 or 1–7 scale.")]
    if errors:
        raise ValidationError(errors)
    return cleaned


def clean_show_if(question: Mapping[str, Any], target: Question | Mapping[str, Any] | None, values: Any) -> list[Any]:
    """The answers of an earlier question that make this one appear (skip logic)."""
    if target is None:
        return []
    kind = _get(target, "kind")
    if kind == Question.Kind.TEXT:
        raise ValidationError({"show_if_question": [_("A question cannot depend on a free-text answer.")]})
    if not isinstance(values, list | tuple):
        values = [values] if values not in (None, "") else []
    cleaned = []
    for raw in values:
        try:
            value, _number = parse_answer(target, raw)
        except ValidationError as exc:
            raise ValidationError({"show_if_values": exc.messages}) from exc
        for item in value if isinstance(value, list) else [value]:
            if item not in cleaned:
                cleaned.append(item)
    if not cleaned:
        raise ValidationError({"show_if_values": [_("Choose the answers that make this question appear.")]})
    return cleaned


def check_version(questions: Sequence[Question], *, counts_toward_sc: bool, followup_threshold: int | None) -> None:
    """Whole-survey rules checked before publishing."""
    errors: list[str] = []
    if not questions:
        errors.append(_("Add at least one question before publishing."))
    if len(questions) > MAX_QUESTIONS:
        errors.append(_("A survey has at most %(max)s questions.") % {"max": MAX_QUESTIONS})
    headlines = [q for q in questions if q.is_headline]
    if len(headlines) > 1:
        errors.append(_("Only one question can be the headline satisfaction question."))
    if counts_toward_sc and len(headlines) != 1:
        errors.append(_("A survey that counts toward SC needs exactly one headline satisfaction question."))
    if headlines and followup_threshold is not None:
        low, high = headlines[0].scale_min, headlines[0].scale_max
        if low is not None and high is not None and not low <= followup_threshold <= high:
            errors.append(
                _("The follow-up threshold must be on the headline question's scale (%(low)s–%(high)s).")
                % {"low": low, "high": high}
            )
    positions = {q.pk: q.position for q in questions}
    for q in questions:
        if q.show_if_question_id and positions.get(q.show_if_question_id, q.position) >= q.position:
            errors.append(_("Question %(n)s depends on a question that does not come before it.") % {"n": q.position})
    if errors:
        raise ValidationError(errors)


# --- answers ------------------------------------------------------------------------------------


def _get(question: Question | Mapping[str, Any], name: str) -> Any:
    return question.get(name) if isinstance(question, Mapping) else getattr(question, name)


def _as_int(raw: Any) -> int | None:
    if isinstance(raw, bool):
        return None
    if isinstance(raw, int):
        return raw
    if isinstance(raw, float) and raw.is_integer():
        return int(raw)
    text = str(raw).strip()
    if text.lstrip("-").isdigit():
        return int(text)
    return None


def is_empty(raw: Any) -> bool:
    if raw is None:
        return True
    if isinstance(raw, str):
        return not raw.strip()
    if isinstance(raw, list | tuple):
        return all(is_empty(item) for item in raw)
    return False


def parse_answer(question: Question | Mapping[str, Any], raw: Any) -> tuple[Any, int | None]:
    """A raw answer (form text, JSON value, spreadsheet cell) → (stored value, number) or a
    ValidationError with a message the customer understands."""
    kind = _get(question, "kind")
    if kind in SCALES:
        low, high = _get(question, "scale_min"), _get(question, "scale_max")
        value = _as_int(raw)
        if value is None or not low <= value <= high:
            raise ValidationError(_("Choose a value between %(low)s and %(high)s.") % {"low": low, "high": high})
        return value, value
    if kind == Question.Kind.YES_NO:
        if isinstance(raw, bool):
            return raw, int(raw)
        word = normalise(raw)
        if word in YES_WORDS:
            return True, 1
        if word in NO_WORDS:
            return False, 0
        raise ValidationError(_("Answer yes or no."))
    if kind in CHOICE_KINDS:
        options = list(_get(question, "choices") or [])
        by_key = {normalise(o): o for o in options}
        items = raw if isinstance(raw, list | tuple) else [raw]
        if kind == Question.Kind.MULTIPLE_CHOICE and isinstance(raw, str) and raw not in options:
            items = raw.replace(";", "|").split("|")
        chosen: list[str] = []
        for item in items:
            if is_empty(item):
                continue
            option = by_key.get(normalise(item))
            if option is None:
                raise ValidationError(_("“%(value)s” is not one of the options.") % {"value": str(item)[:80]})
            if option not in chosen:
                chosen.append(option)
        if kind == Question.Kind.SINGLE_CHOICE:
            if len(chosen) != 1:
                raise ValidationError(_("Choose one option."))
            return chosen[0], None
        return [o for o in options if o in chosen], None
    text = str(raw).strip()
    if len(text) > MAX_TEXT_ANSWER:
        raise ValidationError(
            _("Keep the answer under %(max)s characters (it has %(count)s).")
            % {"max": MAX_TEXT_ANSWER, "count": len(text)}
        )
    return text, None


def is_shown(question: Question, answers: Mapping[int, tuple[Any, int | None]]) -> bool:
    """Skip logic: a question that depends on another is shown when that answer is one of its values."""
    if not question.show_if_question_id:
        return True
    given = answers.get(question.show_if_question_id)
    if given is None:
        return False
    value = given[0]
    values = question.show_if_values or []
    if isinstance(value, list):
        return any(item in values for item in value)
    return value in values


class AnswerErrors(ValidationError):
    """Answers that cannot be stored, by question (for forms) and as a list (for the API)."""

    def __init__(self, by_question: dict[Question, list[str]]) -> None:
        self.by_question = by_question
        super().__init__({f"q_{q.pk}": messages for q, messages in by_question.items()})

    def flat(self) -> list[str]:
        return [
            _("Question %(n)s (“%(text)s”): %(error)s") % {"n": q.position, "text": q.text[:60], "error": message}
            for q, messages in sorted(self.by_question.items(), key=lambda item: item[0].position)
            for message in messages
        ]


@dataclass(frozen=True)
class CleanAnswers:
    values: dict[Question, tuple[Any, int | None]]
    complete: bool

    def headline(self) -> tuple[Question, int] | None:
        for question, (_value, number) in self.values.items():
            if question.is_headline and number is not None:
                return question, number
        return None


def clean_answers(questions: Iterable[Question], raw: Mapping[int, Any], *, enforce_required: bool) -> CleanAnswers:
    """Parse every answer, apply the skip logic (answers to hidden questions are dropped) and check
    required questions. With `enforce_required` a missing required answer is an error; without it
    the response is stored as incomplete."""
    ordered = sorted(questions, key=lambda q: q.position)
    parsed: dict[int, tuple[Any, int | None]] = {}
    errors: dict[Question, list[str]] = {}
    for question in ordered:
        value = raw.get(question.pk)
        if is_empty(value):
            continue
        try:
            parsed[question.pk] = parse_answer(question, value)
        except ValidationError as exc:
            errors[question] = exc.messages
    values: dict[Question, tuple[Any, int | None]] = {}
    complete = True
    for question in ordered:
        if not is_shown(question, parsed):
            parsed.pop(question.pk, None)
            errors.pop(question, None)
            continue
        if question.pk in parsed:
            answer = parsed[question.pk]
            if answer[0] in ("", []):
                parsed.pop(question.pk)
            else:
                values[question] = answer
                continue
        if question.required and question not in errors:
            complete = False
            if enforce_required:
                errors[question] = [_("This question needs an answer.")]
    if errors:
        raise AnswerErrors(errors)
    return CleanAnswers(values=values, complete=complete)
