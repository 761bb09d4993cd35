"""Every write of the indicators module: targets, closing periods and the plans they require,
management reviews, the risk register and controlled documents."""

import datetime as dt
import decimal
import logging
import math
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from clientela.core import audit, notifications
from clientela.core import services as core
from clientela.core.errors import DomainError
from clientela.core.models import AuditAction, SiteSetting
from clientela.core.periods import Period

from . import pdf, plans, registry, review_pack, risk_signals, selectors
from .models import (
    ApprovedReviewPdf,
    ControlledDocument,
    DocumentVersion,
    IndicatorResult,
    IndicatorTarget,
    ManagementReview,
    ReviewDecision,
    RiskOpportunity,
    RiskPlanLink,
)
from .states import DECISION, REVIEW, VERSION

TWO_PLACES = decimal.Decimal("0.01")
log = logging.getLogger(__name__)


def _pick(data: dict[str, Any], fields: tuple[str, ...]) -> dict[str, Any]:
    return {k: v for k, v in data.items() if k in fields}


def _decimal(value: Any, field: str) -> decimal.Decimal:
    try:
        number = decimal.Decimal(str(value))
    except (decimal.InvalidOperation, ValueError, TypeError) as exc:
        raise ValidationError({field: _("Enter a number.")}) from exc
    if not number.is_finite():
        raise ValidationError({field: _("Enter a number.")})
    return number.quantize(TWO_PLACES, rounding=decimal.ROUND_HALF_UP)


# --- targets -------------------------------------------------------------------------------------


@transaction.atomic
def target_set(
    *,
    actor: Any,
    indicator: str,
    year: int,
    target: Any,
    warning_band: Any = None,
    expected_version: int | None = None,
) -> IndicatorTarget:
    """Set (or change) an indicator's target for a year."""
    definition = registry.get_definition(indicator)
    if definition is None:
        raise ValidationError({"indicator": _("There is no indicator “%(key)s”.") % {"key": indicator}})
    if not isinstance(year, int) or not 2000 <= year <= 2100:
        raise ValidationError({"year": _("Enter a year between 2000 and 2100.")})
    value = _decimal(target, "target")
    low, high = definition.bounds
    if not low <= value <= high:
        raise ValidationError(
            {
                "target": _("The target of %(indicator)s must be between %(low)s and %(high)s.")
                % {
                    "indicator": definition.name,
                    "low": plans.format_value(low, ""),
                    "high": plans.format_value(high, ""),
                }
            }
        )
    band = _decimal(definition.default_band if warning_band in (None, "") else warning_band, "warning_band")
    if not 0 <= band <= high - low:
        raise ValidationError({"warning_band": _("The alert band must be zero or more, and smaller than the scale.")})
    current = IndicatorTarget.objects.filter(indicator=indicator, year=year).first()
    if current is None:
        return core.save_new(
            actor=actor,
            instance=IndicatorTarget(indicator=indicator, year=year, target=value, warning_band=band, set_by=actor),
        )
    return core.update_fields(
        actor=actor,
        instance=current,
        data={"target": value, "warning_band": band, "set_by": actor},
        expected_version=expected_version,
    )


# --- closing periods and the plans a result below target requires --------------------------------


def _result_data(value: selectors.IndicatorValue) -> dict[str, Any]:
    return {
        "value": None if value.value is None else _decimal(value.value, "value"),
        "numerator": value.numerator,
        "denominator": value.denominator,
        "ci95_low": None if value.ci95 is None else _decimal(value.ci95[0], "ci95_low"),
        "ci95_high": None if value.ci95 is None else _decimal(value.ci95[1], "ci95_high"),
        "target": _decimal(value.target, "target"),
        "warning_band": _decimal(value.band, "warning_band"),
        "higher_is_better": value.definition.higher_is_better,
        "status": value.status,
    }


@transaction.atomic
def period_close(
    *, period: Period, actor: Any = None, today: dt.date | None = None, recompute: bool = False
) -> list[IndicatorResult]:
    """Record each indicator's figure for a period that has ended, once; with `recompute`, update the
    records from the data as it is now (an approved review keeps what it froze). A result below
    target has its improvement plan requested."""
    today = today or timezone.localdate()
    if period.is_provisional(today):
        raise DomainError(_("%(period)s has not ended yet: only a past period can be closed.") % {"period": period})
    existing = {r.indicator: r for r in IndicatorResult.objects.filter(period=period.label)}
    now = timezone.now()
    results = []
    for value in selectors.indicator_values(period=period, today=today):
        if not value.definition.available:
            continue  # no module measures it yet: it is closed once one does
        data = _result_data(value)
        current = existing.get(value.key)
        if current is None:
            result = core.save_new(
                actor=actor,
                instance=IndicatorResult(
                    indicator=value.key,
                    period=period.label,
                    period_start=period.start,
                    period_end=period.end,
                    closed_at=now,
                    **data,
                ),
                note=_("Period closed."),
            )
        elif recompute:
            result = core.update_fields(
                actor=actor, instance=current, data=data, note=_("Recomputed from the current records.")
            )
        else:
            result = current
        results.append(result)
    return [request_plan_safely(r, actor) if r.needs_plan else r for r in results]


def request_plan_safely(result: IndicatorResult, actor: Any = None) -> IndicatorResult:
    """A plan the action-plans module refuses must not undo the closing: the daily job asks again."""
    try:
        return result_request_plan(result=result, actor=actor)
    except (ValidationError, DomainError) as exc:
        log.warning("improvement plan for %s %s not drafted: %s", result.indicator, result.period, exc)
        return result


def last_closed_quarter(today: dt.date) -> Period:
    return Period.current_quarter(today).previous()


@transaction.atomic
def result_request_plan(*, result: IndicatorResult, actor: Any = None) -> IndicatorResult:
    """Draft the improvement plan of a period closed below target: once per indicator and period."""
    current = core.lock(result)
    if current.plan_requested_at is not None or not current.needs_plan:
        return current
    owner = selectors.quality_representatives().first()
    before = audit.snapshot(current, ["plan_requested_at", "plan_id", "plan_reference", "plan_url"])
    ref = plans.draft(current, owner=owner)
    current.plan_requested_at = timezone.now()
    if ref is not None:
        current.plan_id, current.plan_reference, current.plan_url = ref.id, ref.reference, ref.url
    current.lock_version += 1
    current.save()
    audit.record_changed(
        actor=actor, obj=current, before=before, note=_("Improvement plan requested: the period closed below target.")
    )
    definition = registry.get_definition(current.indicator)
    unit = definition.unit if definition else ""
    notifications.notify(
        recipients=selectors.quality_representatives(),
        kind="indicator_below_target",
        title=lambda: (
            _("%(indicator)s closed %(period)s below target: %(value)s (target %(target)s)")
            % {
                "indicator": definition.name if definition else current.indicator,
                "period": current.period,
                "value": plans.format_value(current.value, unit),
                "target": plans.format_value(current.target, unit),
            }
        ),
        body=lambda: (
            _("Analyse the causes, review the resources and record the improvement plan.")
            if ref is None
            else _("Improvement plan %(plan)s was drafted and assigned to quality.") % {"plan": ref.reference}
        ),
        url=current.get_absolute_url(),
        target=current,
        dedupe_key=f"indicator-below-target-{current.indicator}-{current.period}",
    )
    return current


@transaction.atomic
def result_record_analysis(
    *,
    actor: Any,
    result: IndicatorResult,
    analysis: str,
    plan_reference: str = "",
    expected_version: int | None = None,
) -> IndicatorResult:
    """Quality records why the period fell short (and the plan that treats it): the dashboard stops
    showing it as pending."""
    if not result.needs_plan:
        raise DomainError(_("Only a period closed below target needs an analysis."))
    if not (analysis or "").strip():
        raise ValidationError({"analysis": _("Write the analysis of the causes.")})
    data: dict[str, Any] = {"analysis": analysis.strip(), "analysed_at": timezone.now(), "analysed_by": actor}
    reference = (plan_reference or "").strip().upper()
    if reference:
        data["plan_reference"] = reference
    return core.update_fields(actor=actor, instance=result, data=data, expected_version=expected_version)


@transaction.atomic
def result_link_plan(*, actor: Any, result: IndicatorResult, plan: plans.PlanRef) -> IndicatorResult:
    """Record the plan opened for a result (when it was opened by hand or by the action-plans module)."""
    return core.update_fields(
        actor=actor,
        instance=result,
        data={"plan_id": plan.id, "plan_reference": plan.reference, "plan_url": plan.url},
    )


# --- management reviews --------------------------------------------------------------------------

REVIEW_FIELDS = (
    "meeting_date",
    "attendees",
    "other_attendees",
    "external_changes",
    "audit_results",
    "conclusions",
    "resources",
)
DECISION_FIELDS = ("kind", "description", "owner", "due_date", "plan_reference")


def ensure_editable(review: ManagementReview) -> None:
    if review.is_frozen:
        raise DomainError(
            _(
                "This management review was approved on %(date)s by %(who)s and is frozen: it can no longer be "
                "changed. Record new decisions in the next review."
            )
            % {
                "date": date_format(timezone.localtime(review.approved_at), "SHORT_DATE_FORMAT"),
                "who": review.approved_by or _("top management"),
            }
        )


@transaction.atomic
def review_create(*, actor: Any, period: Period) -> ManagementReview:
    if period.kind != "quarter":
        raise ValidationError({"period": _("A management review covers a quarter, for example 2026-Q3.")})
    if ManagementReview.objects.filter(period=period.label).exists():
        raise ValidationError(
            {"period": _("There is already a management review for %(period)s.") % {"period": period}}
        )
    return core.save_new(actor=actor, instance=ManagementReview(period=period.label, prepared_by=actor))


@transaction.atomic
def review_update(
    *, actor: Any, review: ManagementReview, data: dict[str, Any], expected_version: int | None = None
) -> ManagementReview:
    ensure_editable(core.lock(review))
    return core.update_fields(
        actor=actor, instance=review, data=_pick(data, REVIEW_FIELDS), expected_version=expected_version
    )


@transaction.atomic
def decision_add(*, actor: Any, review: ManagementReview, data: dict[str, Any]) -> ReviewDecision:
    ensure_editable(core.lock(review))
    decision = ReviewDecision(review=review, **_pick(data, DECISION_FIELDS))
    decision.plan_reference = (decision.plan_reference or "").strip().upper()
    return core.save_new(actor=actor, instance=decision)


@transaction.atomic
def decision_update(
    *, actor: Any, decision: ReviewDecision, data: dict[str, Any], expected_version: int | None = None
) -> ReviewDecision:
    ensure_editable(core.lock(decision.review))
    changes = _pick(data, DECISION_FIELDS)
    if "plan_reference" in changes:
        changes["plan_reference"] = (changes["plan_reference"] or "").strip().upper()
    return core.update_fields(actor=actor, instance=decision, data=changes, expected_version=expected_version)


@transaction.atomic
def decision_remove(*, actor: Any, decision: ReviewDecision) -> ReviewDecision:
    ensure_editable(core.lock(decision.review))
    return core.archive(actor=actor, instance=decision)


@transaction.atomic
def decision_follow_up(*, actor: Any, decision: ReviewDecision, to: str, note: str = "") -> ReviewDecision:
    """Record that a decision was carried out (or dropped, or reopened): follow-up is not an edit of
    the frozen review, it is what the next review reads."""
    current = core.lock(decision)
    if not current.review.is_frozen:
        raise DomainError(_("A decision is followed up once the review that took it is approved."))
    DECISION.check(current.status, to)
    note = (note or "").strip()
    if to in (ReviewDecision.Status.DONE, ReviewDecision.Status.CANCELLED) and not note:
        raise ValidationError({"follow_up": _("Say what was done, or why the decision was dropped.")})
    old = current.status
    current.status = to
    current.closed_at = timezone.now() if to != ReviewDecision.Status.OPEN else None
    if note:
        current.follow_up = note
    current.lock_version += 1
    current.save()
    audit.record_transition(actor=actor, obj=current, old=old, new=to, note=note)
    return current


def record_plain(review: ManagementReview) -> dict[str, Any]:
    """The meeting record as plain values (frozen with the pack at approval)."""
    return review_pack.plain(
        {
            "meeting_date": review.meeting_date,
            "attendees": [
                f"{u} ({u.job_title})" if getattr(u, "job_title", "") else str(u)
                # .all(): the attendees the view has prefetched, ordered here
                for u in sorted(review.attendees.all(), key=lambda u: (u.first_name, u.last_name, u.pk))
            ],
            "other_attendees": [line.strip() for line in review.other_attendees.splitlines() if line.strip()],
            "external_changes": review.external_changes,
            "audit_results": review.audit_results,
            "conclusions": review.conclusions,
            "resources": review.resources,
            "decisions": [
                {
                    "kind": d.kind,
                    "kind_label": d.get_kind_display(),
                    "description": d.description,
                    "owner": str(d.owner),
                    "due_date": d.due_date,
                    "plan_reference": d.plan_reference,
                }
                for d in selectors.review_decisions(review)
            ],
            "prepared_by": str(review.prepared_by) if review.prepared_by else "",
            "approved_by": str(review.approved_by) if review.approved_by else "",
            "approved_at": review.approved_at,
        }
    )


def _check_ready_for_approval(review: ManagementReview, today: dt.date) -> None:
    errors: dict[str, str] = {}
    if review.meeting_date is None:
        errors["meeting_date"] = _("Record the date of the review meeting.")
    elif review.meeting_date > today:
        errors["meeting_date"] = _("The review cannot be approved before its meeting is held.")
    if not review.attendees.exists() and not review.other_attendees.strip():
        errors["attendees"] = _("Record who attended the meeting.")
    if not review.conclusions.strip():
        errors["conclusions"] = _("Record the conclusions of the review.")
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def review_approve(
    *, actor: Any, review: ManagementReview, expected_version: int | None = None, today: dt.date | None = None
) -> ManagementReview:
    """Top management approves the review: the pack and the meeting record are frozen into the
    review and printed to the PDF kept with it. Later data changes do not alter them."""
    today = today or timezone.localdate()
    current = core.lock(review)
    if current.is_frozen:
        raise DomainError(
            _("This management review was already approved on %(date)s by %(who)s; it cannot be approved again.")
            % {
                "date": date_format(timezone.localtime(current.approved_at), "SHORT_DATE_FORMAT"),
                "who": current.approved_by or _("top management"),
            }
        )
    if expected_version is not None and current.lock_version != expected_version:
        current = core.lock(review, expected_version)
    REVIEW.check(current.status, ManagementReview.Status.APPROVED)
    _check_ready_for_approval(current, today)
    current.approved_at = timezone.now()
    current.approved_by = actor
    current.status = ManagementReview.Status.APPROVED
    pack = review_pack.compile_pack(current, today=today)
    pack["record"] = record_plain(current)
    current.pack = pack
    current.lock_version += 1
    current.save()
    content = pdf.render_review(review=current, pack=pack, record=pack["record"])
    frozen = ApprovedReviewPdf.objects.create(review=current, content=content, sha256=pdf.sha256(content))
    audit.record_transition(
        actor=actor,
        obj=current,
        old=ManagementReview.Status.DRAFT,
        new=ManagementReview.Status.APPROVED,
        note=_("Pack and meeting record frozen; PDF SHA-256 %(hash)s") % {"hash": frozen.sha256},
    )
    return current


def review_pdf(*, review: ManagementReview, language: str | None = None) -> bytes:
    """The approved PDF as approved; for a review in preparation, a draft from the live data."""
    if review.is_frozen:
        return bytes(ApprovedReviewPdf.objects.get(review=review).content)
    pack = review_pack.compile_pack(review, language=language)
    return pdf.render_review(review=review, pack=pack, record=record_plain(review))


# --- risks and opportunities ---------------------------------------------------------------------

RISK_FIELDS = (
    "code",
    "kind",
    "title",
    "description",
    "source",
    "likelihood",
    "impact",
    "strategy",
    "treatment",
    "owner",
    "review_date",
    "signal",
)
RISK_STRATEGIES = {
    RiskOpportunity.Kind.RISK: {"avoid", "mitigate", "transfer", "accept"},
    RiskOpportunity.Kind.OPPORTUNITY: {"exploit", "enhance", "transfer", "accept"},
}


def _validate_risk(data: dict[str, Any], current: RiskOpportunity | None) -> dict[str, Any]:
    kind = data.get("kind", current.kind if current else "")
    strategy = data.get("strategy", current.strategy if current else "")
    errors: dict[str, str] = {}
    if strategy and kind in RISK_STRATEGIES and strategy not in RISK_STRATEGIES[kind]:
        errors["strategy"] = _("This strategy applies to the other kind (risk or opportunity).")
    signal = data.get("signal")
    if signal and signal != (current.signal if current else "") and risk_signals.get_provider(signal) is None:
        errors["signal"] = _("There is no live signal “%(key)s”.") % {"key": signal}
    if "code" in data:
        data["code"] = (data["code"] or "").strip().upper()
    if errors:
        raise ValidationError(errors)
    return data


@transaction.atomic
def risk_create(*, actor: Any, data: dict[str, Any]) -> RiskOpportunity:
    data = _validate_risk(_pick(data, RISK_FIELDS), None)
    return core.save_new(actor=actor, instance=RiskOpportunity(**data))


@transaction.atomic
def risk_update(
    *, actor: Any, risk: RiskOpportunity, data: dict[str, Any], expected_version: int | None = None
) -> RiskOpportunity:
    data = _validate_risk(_pick(data, RISK_FIELDS), risk)
    return core.update_fields(actor=actor, instance=risk, data=data, expected_version=expected_version)


def risk_archive(*, actor: Any, risk: RiskOpportunity) -> RiskOpportunity:
    return core.archive(actor=actor, instance=risk)


def risk_restore(*, actor: Any, risk: RiskOpportunity) -> RiskOpportunity:
    return core.restore(actor=actor, instance=risk)


@transaction.atomic
def risk_link_plan(
    *, actor: Any, risk: RiskOpportunity, reference: str, plan_id: int | None = None, note: str = ""
) -> RiskPlanLink:
    reference = (reference or "").strip().upper()
    if not reference:
        raise ValidationError({"plan_reference": _("Enter the number of the action plan.")})
    current = core.lock(risk)
    if current.plan_links.filter(plan_reference=reference).exists():
        raise ValidationError({"plan_reference": _("Plan %(plan)s is already linked.") % {"plan": reference}})
    link = RiskPlanLink(risk=current, plan_reference=reference, plan_id=plan_id, note=note.strip(), created_by=actor)
    link.full_clean()
    link.save()
    audit.record(actor=actor, obj=current, action=AuditAction.CHANGED, changes={"plans": [None, reference]})
    return link


@transaction.atomic
def risk_unlink_plan(*, actor: Any, link: RiskPlanLink) -> None:
    risk = core.lock(link.risk)
    audit.record(actor=actor, obj=risk, action=AuditAction.CHANGED, changes={"plans": [link.plan_reference, None]})
    link.delete()


@transaction.atomic
def signal_settings_update(
    *, actor: Any, thresholds: dict[str, Any], late_interaction_days: int | None = None
) -> SiteSetting:
    """Quality sets each live signal's threshold and how late an interaction is 'logged late'."""
    clean: dict[str, float] = {}
    errors: dict[str, str] = {}
    for key, raw in thresholds.items():
        if risk_signals.get_provider(key) is None:
            errors[key] = _("There is no live signal “%(key)s”.") % {"key": key}
            continue
        try:
            value = float(raw)
        except (TypeError, ValueError):
            errors[key] = _("Enter a number.")
            continue
        if not math.isfinite(value) or value < 0:
            errors[key] = _("Enter a number of zero or more.")
            continue
        clean[key] = round(value, 2)
    if late_interaction_days is not None and not 0 <= late_interaction_days <= 60:
        errors["late_interaction_days"] = _("Enter a number of days between 0 and 60.")
    if errors:
        raise ValidationError(errors)
    row, _created = SiteSetting.objects.select_for_update().get_or_create(key=risk_signals.SETTINGS_KEY)
    before = dict(row.value) if isinstance(row.value, dict) else {}
    after = {**before, "thresholds": {**(before.get("thresholds") or {}), **clean}}
    if late_interaction_days is not None:
        after["late_interaction_days"] = late_interaction_days
    if after != before:
        row.value = after
        row.save()
        audit.record(actor=actor, obj=row, action=AuditAction.CHANGED, changes=audit.diff(before, after))
    return row


# --- controlled documents ------------------------------------------------------------------------


def next_version_number(document: ControlledDocument) -> str:
    numbers = [int(v) for v in document.versions.values_list("version", flat=True) if v.isdigit()]
    return f"{(max(numbers) + 1) if numbers else 0:03d}"


@transaction.atomic
def document_draft(*, actor: Any, document: ControlledDocument, data: dict[str, Any]) -> DocumentVersion:
    """Quality drafts the next version, starting from the text in force."""
    document = core.lock(document)
    draft = selectors.version_draft(document)
    if draft is not None:
        raise DomainError(
            _("%(code)s already has a draft (version %(version)s): finish or withdraw it first.")
            % {"code": document.code, "version": draft.version}
        )
    in_force = selectors.version_in_force(document)
    version = DocumentVersion(
        document=document,
        version=next_version_number(document),
        status=DocumentVersion.Status.DRAFT,
        change_summary=(data.get("change_summary") or "").strip(),
        body=data.get("body") or (in_force.body if in_force else ""),
        approver_label=document.approver,
        drafted_by=actor,
    )
    return core.save_new(actor=actor, instance=version)


@transaction.atomic
def version_update(
    *, actor: Any, version: DocumentVersion, data: dict[str, Any], expected_version: int | None = None
) -> DocumentVersion:
    current = core.lock(version)
    if current.status != DocumentVersion.Status.DRAFT:
        raise DomainError(_("Only a draft can be edited: an approved version is changed by drafting a new one."))
    return core.update_fields(
        actor=actor,
        instance=current,
        data=_pick(data, ("change_summary", "body")),
        expected_version=expected_version,
    )


@transaction.atomic
def version_approve(
    *, actor: Any, version: DocumentVersion, today: dt.date | None = None, expected_version: int | None = None
) -> DocumentVersion:
    """Top management approves a draft: it comes into force and the previous version is superseded."""
    current = core.lock(version, expected_version)
    VERSION.check(current.status, DocumentVersion.Status.IN_FORCE)
    previous = selectors.version_in_force(current.document)
    if previous is not None:
        previous = core.lock(previous)
        VERSION.check(previous.status, DocumentVersion.Status.SUPERSEDED)
        previous.status = DocumentVersion.Status.SUPERSEDED
        previous.lock_version += 1
        previous.save()
        audit.record_transition(
            actor=actor,
            obj=previous,
            old=DocumentVersion.Status.IN_FORCE,
            new=DocumentVersion.Status.SUPERSEDED,
            note=_("Superseded by version %(version)s.") % {"version": current.version},
        )
    current.status = DocumentVersion.Status.IN_FORCE
    current.effective_date = today or timezone.localdate()
    current.approved_by = actor
    current.approved_at = timezone.now()
    current.lock_version += 1
    current.save()
    audit.record_transition(
        actor=actor, obj=current, old=DocumentVersion.Status.DRAFT, new=DocumentVersion.Status.IN_FORCE
    )
    return current


@transaction.atomic
def version_withdraw(*, actor: Any, version: DocumentVersion, note: str = "") -> DocumentVersion:
    current = core.lock(version)
    VERSION.check(current.status, DocumentVersion.Status.WITHDRAWN)
    current.status = DocumentVersion.Status.WITHDRAWN
    current.lock_version += 1
    current.save()
    audit.record_transition(
        actor=actor, obj=current, old=DocumentVersion.Status.DRAFT, new=DocumentVersion.Status.WITHDRAWN, note=note
    )
    return current
