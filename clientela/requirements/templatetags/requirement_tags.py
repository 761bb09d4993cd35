"""Template helpers of the requirements pages: vague words marked in a text, status and priority badges,
the situation of a traced deliverable."""

from typing import Any

from django import template
from django.utils import timezone
from django.utils.html import conditional_escape, format_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from clientela.requirements.clarity import find_vague_terms
from clientela.requirements.traceability import DELIVERABLE_STATES, DELIVERABLE_TONES, DeliverableFact

register = template.Library()

STATUS_TONES = {
    "draft": "",
    "clarifying": "warning",
    "validated": "info",
    "approved": "good",
    "fulfilled": "good",
    "rejected": "bad",
    "withdrawn": "",
}
PRIORITY_TONES = {"must": "bad", "should": "warning", "could": "info", "wont": ""}


def _lines(text: str) -> str:
    return text.replace("\n", "<br>")


@register.filter
def vague_marks(text: Any) -> SafeString:
    """The text, escaped, with each vague expression in <mark> followed by a note for screen readers."""
    text = str(text or "")
    parts: list[str] = []
    position = 0
    note = _("vague word")
    for match in find_vague_terms(text):
        parts.append(_lines(conditional_escape(text[position : match.start])))
        parts.append(
            format_html(
                '<mark class="vague" title="{}">{}<span class="visually-hidden"> ({})</span></mark>',
                match.hint,
                match.text,
                note,
            )
        )
        position = match.end
    parts.append(_lines(conditional_escape(text[position:])))
    # Every piece was escaped above.
    return mark_safe("".join(parts))


@register.inclusion_tag("requirements/_status_badge.html")
def status_badge(requirement: Any) -> dict[str, Any]:
    return {
        "tone": STATUS_TONES.get(requirement.status, ""),
        "label": requirement.get_status_display(),
    }


@register.inclusion_tag("requirements/_priority_badge.html")
def priority_badge(requirement: Any) -> dict[str, Any]:
    return {
        "tone": PRIORITY_TONES.get(requirement.priority, ""),
        "code": requirement.priority,
        "label": requirement.get_priority_display(),
    }


@register.filter
def trace_state(deliverable: DeliverableFact) -> dict[str, Any]:
    """A traced deliverable's situation today: its key, its label in words and the badge's tone."""
    key = deliverable.state(timezone.localdate())
    return {"key": key, "label": DELIVERABLE_STATES[key], "tone": DELIVERABLE_TONES[key]}
