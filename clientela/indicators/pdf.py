"""The management review as a PDF for top management and the auditor (WeasyPrint, no JavaScript:
charts are SVG drawn on the server)."""

import hashlib
import logging
from typing import Any

from django.template.loader import render_to_string
from django.utils import translation

from .models import ManagementReview
from .review_pack import renderable


def render_review(*, review: ManagementReview, pack: dict[str, Any], record: dict[str, Any]) -> bytes:
    """The review from its (frozen or live) pack and meeting record, in the pack's language."""
    with translation.override(pack.get("language") or "es"):
        html = render_to_string(
            "indicators/review_pdf.html",
            {"review": review, "pack": renderable(pack), "record": record, "draft": not review.is_frozen},
        )
    from weasyprint import HTML  # imported when a PDF is made: it is slow to load

    # WeasyPrint reports every step of every document at INFO level; the log only needs its warnings.
    logging.getLogger("weasyprint.progress").setLevel(logging.WARNING)
    return HTML(string=html).write_pdf()


def sha256(content: bytes) -> str:
    return hashlib.sha256(content).hexdigest()
