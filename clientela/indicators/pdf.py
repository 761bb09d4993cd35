"""The management review as a PDF for top management and the auditor (WeasyPrint, no JavaScript:
charts are SVG drawn on the server)."""

import hashlib
from typing import Any

from django.template.loader import render_to_string
from django.utils import translation

from clientela.core import pdf

from .models import ManagementReview
from .review_pack import renderable


def render_review(*, review: ManagementReview, pack: dict[str, Any], record: dict[str, Any]) -> bytes:
    """The review from its (frozen or live) pack and meeting record, in the pack's language."""
    with translation.override(pack.get("language") or "es"):
        html = render_to_string(
            "indicators/review_pdf.html",
            {"review": review, "pack": renderable(pack), "record": record, "draft": not review.is_frozen},
        )
    return pdf.write_pdf(html)


def sha256(content: bytes) -> str:
    return hashlib.sha256(content).hexdigest()
