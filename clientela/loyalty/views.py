"""Loyalty pages: programmes and their catalogue, members and their points, redemptions, the
communication log, member statements and retention figures."""

import datetime as dt
from typing import Any

from django.contrib import messages
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from clientela.core.errors import DomainError
from clientela.core.forms import saved, show_service_error
from clientela.core.listing import RecordListView
from clientela.core.periods import Period, PeriodError
from clientela.core.permissions import has_perm, permission_required, require

from . import exports, ledger, pdf, selectors, services, states
from .filters import EntryFilter, MembershipFilter, MessageFilter, ProgrammeFilter, RedemptionFilter
from .forms import (
    AdjustForm,
    CampaignForm,
    EnrolForm,
    MessageForm,
    ProgrammeForm,
    RedeemForm,
    ReferralForm,
    RewardForm,
    RuleForm,
    TierForm,
)
from .models import EarningRule, LoyaltyProgramme, Membership, Redemption, Reward, Tier

ERRORS = (ValidationError, DomainError)


@permission_required("loyalty.view")
def index(request: HttpRequest) -> HttpResponse:
    return redirect("loyalty:programmes")


# --- programmes ----------------------------------------------------------------------------------


class ProgrammeListView(RecordListView):
    permission = "loyalty.view"
    template_name = "loyalty/programme_list.html"
    filterset_class = ProgrammeFilter
    sort_fields = {"name": "name", "status": "status", "members": "member_count", "created": "created_at"}
    default_sort = "name"
    export_columns = staticmethod(exports.programme_columns)
    export_basename = "programas-fidelizacion"

    def base_queryset(self):
        return selectors.programme_list(user=self.request.user)


@permission_required("loyalty.manage")
def programme_create(request: HttpRequest) -> HttpResponse:
    form = ProgrammeForm(request.POST or None, initial={"owner": request.user})
    if programme := saved(
        request,
        form,
        lambda data: services.programme_create(actor=request.user, data=data),
        message=_("Programme created. Add its tiers, earning rules and rewards, then open it."),
    ):
        return redirect(programme)
    return render(
        request,
        "loyalty/programme_form.html",
        {"form": form, "title": _("New loyalty programme"), "cancel_url": reverse("loyalty:programmes")},
    )


@permission_required("loyalty.manage")
def programme_edit(request: HttpRequest, pk: int) -> HttpResponse:
    programme = selectors.programme_get(user=request.user, pk=pk)
    form = ProgrammeForm(request.POST or None, instance=programme)
    if saved(
        request,
        form,
        lambda data: services.programme_update(
            actor=request.user, programme=programme, data=data, expected_version=form.expected_version()
        ),
        message=_("Changes saved."),
    ):
        return redirect(programme)
    return render(
        request,
        "loyalty/programme_form.html",
        {
            "form": form,
            "programme": programme,
            "title": _("Edit programme"),
            "cancel_url": programme.get_absolute_url(),
        },
    )


@permission_required("loyalty.view")
def programme_detail(request: HttpRequest, pk: int) -> HttpResponse:
    programme = selectors.programme_get(user=request.user, pk=pk)
    tiers = list(programme.tiers.all())
    members = selectors.with_points(Membership.objects.filter(programme=programme, status=Membership.Status.ACTIVE))
    counts = {tier.pk: 0 for tier in tiers}
    outstanding = 0
    for qualifying, balance in members.values_list("qualifying", "balance"):
        tier = ledger.tier_for(tiers, qualifying)
        if tier is not None:
            counts[tier.pk] += 1
        outstanding += balance
    for tier in tiers:
        tier.member_count = counts[tier.pk]
    context = {
        "programme": programme,
        "tiers": tiers,
        "rules": list(programme.rules.all()),
        "rewards": list(programme.rewards.all()),
        "member_count": sum(counts.values()),
        "outstanding": outstanding,
        "targets": [(t, states.PROGRAMME.label(t)) for t in states.PROGRAMME.targets(programme.status)],
        "ct_id": ContentType.objects.get_for_model(LoyaltyProgramme).pk,
    }
    return render(request, "loyalty/programme_detail.html", context)


@permission_required("loyalty.manage")
@require_POST
def programme_transition(request: HttpRequest, pk: int) -> HttpResponse:
    programme = selectors.programme_get(user=request.user, pk=pk)
    try:
        services.programme_transition(
            actor=request.user, programme=programme, to=request.POST.get("to", ""), note=request.POST.get("note", "")
        )
    except DomainError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("Programme status changed."))
    return redirect(programme)


@permission_required("loyalty.manage")
@require_POST
def programme_auto_enrol(request: HttpRequest, pk: int) -> HttpResponse:
    programme = selectors.programme_get(user=request.user, pk=pk)
    count = services.programme_auto_enrol(programme=programme, actor=request.user)
    messages.success(request, _("%(count)s customers enrolled by the segment rule.") % {"count": count})
    return redirect(programme)


@permission_required("loyalty.manage")
def campaign(request: HttpRequest, pk: int) -> HttpResponse:
    programme = selectors.programme_get(user=request.user, pk=pk)
    form = CampaignForm(request.POST or None, programme=programme)
    if request.method == "POST" and form.is_valid():
        try:
            sent = services.campaign_send(
                actor=request.user,
                programme=programme,
                subject=form.cleaned_data["subject"],
                body=form.cleaned_data["body"],
                tier=form.cleaned_data["tier"],
            )
        except ERRORS as exc:
            show_service_error(form, exc)
        else:
            messages.success(request, _("Message sent to %(count)s members and logged.") % {"count": sent})
            return redirect(programme)
    tier = form.cleaned_data.get("tier") if form.is_bound and form.is_valid() else None
    recipients = selectors.campaign_recipients(programme=programme, tier=tier)
    return render(
        request,
        "loyalty/campaign_form.html",
        {
            "form": form,
            "programme": programme,
            "recipient_count": len(recipients),
            "title": _("Message to members"),
            "cancel_url": programme.get_absolute_url(),
        },
    )


# --- tiers, earning rules and rewards -------------------------------------------------------------

CATALOGUE = {
    "tier": (Tier, TierForm, services.tier_create, services.tier_update, services.tier_archive),
    "rule": (EarningRule, RuleForm, services.rule_create, services.rule_update, services.rule_archive),
    "reward": (Reward, RewardForm, services.reward_create, services.reward_update, services.reward_archive),
}
TITLES = {
    "tier": (gettext_lazy("New tier"), gettext_lazy("Edit tier")),
    "rule": (gettext_lazy("New earning rule"), gettext_lazy("Edit earning rule")),
    "reward": (gettext_lazy("New reward"), gettext_lazy("Edit reward")),
}


def _catalogue_item(kind: str, pk: int) -> Any:
    getter = {"tier": selectors.tier_get, "rule": selectors.rule_get, "reward": selectors.reward_get}[kind]
    return getter(user=None, pk=pk)


@permission_required("loyalty.manage")
def catalogue_create(request: HttpRequest, pk: int, kind: str) -> HttpResponse:
    model, form_class, create, _update, _archive = CATALOGUE[kind]
    programme = selectors.programme_get(user=request.user, pk=pk)
    form = form_class(request.POST or None, instance=model(programme=programme))
    if saved(
        request, form, lambda data: create(actor=request.user, programme=programme, data=data), message=_("Saved.")
    ):
        return redirect(programme)
    return render(
        request,
        "loyalty/catalogue_form.html",
        {
            "form": form,
            "programme": programme,
            "title": TITLES[kind][0],
            "kind": kind,
            "cancel_url": programme.get_absolute_url(),
        },
    )


@permission_required("loyalty.manage")
def catalogue_edit(request: HttpRequest, pk: int, kind: str) -> HttpResponse:
    _model, form_class, _create, update, _archive = CATALOGUE[kind]
    item = _catalogue_item(kind, pk)
    form = form_class(request.POST or None, instance=item)
    if saved(
        request,
        form,
        lambda data: update(actor=request.user, **{kind: item}, data=data, expected_version=form.expected_version()),
        message=_("Changes saved."),
    ):
        return redirect(item.programme)
    return render(
        request,
        "loyalty/catalogue_form.html",
        {
            "form": form,
            "programme": item.programme,
            "item": item,
            "title": TITLES[kind][1],
            "kind": kind,
            "cancel_url": item.programme.get_absolute_url(),
            "ct_id": ContentType.objects.get_for_model(type(item)).pk,
        },
    )


@permission_required("loyalty.manage")
@require_POST
def catalogue_archive(request: HttpRequest, pk: int, kind: str) -> HttpResponse:
    archive = CATALOGUE[kind][4]
    item = _catalogue_item(kind, pk)
    try:
        archive(actor=request.user, **{kind: item})
    except DomainError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("Archived. It stays in the history of the programme."))
    return redirect(item.programme)


# --- members -------------------------------------------------------------------------------------


class MembershipListView(RecordListView):
    permission = "loyalty.view"
    template_name = "loyalty/membership_list.html"
    filterset_class = MembershipFilter
    sort_fields = {
        "number": "number",
        "customer": "customer__name",
        "programme": "programme__name",
        "status": "status",
        "enrolled": "enrolled_at",
        "balance": "balance",
        "qualifying": "qualifying",
    }
    default_sort = "customer"
    export_columns = staticmethod(exports.membership_columns)
    export_basename = "socios"

    def base_queryset(self):
        return selectors.membership_list(user=self.request.user)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["object_list"] = selectors.attach_tiers(context["object_list"])
        return context


@permission_required("loyalty.operate")
def enrol(request: HttpRequest) -> HttpResponse:
    initial = {k: request.GET[k] for k in ("programme", "customer") if request.GET.get(k, "").isdigit()}
    form = EnrolForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        customer = form.cleaned_data["customer"]
        require(request.user, "loyalty.operate", customer)
        try:
            membership = services.membership_enrol(
                actor=request.user, programme=form.cleaned_data["programme"], customer=customer
            )
        except ERRORS as exc:
            show_service_error(form, exc)
        else:
            messages.success(
                request,
                _("%(customer)s joined %(programme)s as member %(number)s.")
                % {"customer": customer.name, "programme": membership.programme, "number": membership.number},
            )
            return redirect(membership)
    return render(
        request,
        "loyalty/enrol_form.html",
        {"form": form, "title": _("Enrol a customer"), "cancel_url": reverse("loyalty:memberships")},
    )


def _membership(request: HttpRequest, pk: int) -> Membership:
    membership = selectors.membership_get(user=request.user, pk=pk)
    return selectors.attach_tiers([membership])[0]


@permission_required("loyalty.view")
def membership_detail(request: HttpRequest, pk: int) -> HttpResponse:
    membership = _membership(request, pk)
    entries = Paginator(selectors.entries_for(membership).order_by("-created_at", "-id"), 25).get_page(
        request.GET.get("page")
    )
    expiring = selectors.expiring_points(membership, within_days=90)
    context = {
        "membership": membership,
        "entries": entries,
        "expiring": expiring,
        "expiring_total": sum(e.points for e in expiring),
        "redemptions": list(membership.redemptions.select_related("reward").order_by("-created_at")[:20]),
        "referrals": list(membership.referrals.select_related("referred_customer").order_by("-created_at")),
        "programme_messages": list(membership.messages.select_related("contact", "sent_by").order_by("-sent_at")[:20]),
        "targets": [(t, states.MEMBERSHIP.label(t)) for t in states.MEMBERSHIP.targets(membership.status)],
        "can_operate": has_perm(request.user, "loyalty.operate", membership),
        "ct_id": ContentType.objects.get_for_model(Membership).pk,
    }
    if request.headers.get("HX-Request") and request.headers.get("HX-Target") == "ledger":
        return render(request, "loyalty/membership_detail.html#ledger", context)
    return render(request, "loyalty/membership_detail.html", context)


@permission_required("loyalty.manage")
@require_POST
def membership_transition(request: HttpRequest, pk: int) -> HttpResponse:
    membership = _membership(request, pk)
    try:
        services.membership_transition(
            actor=request.user, membership=membership, to=request.POST.get("to", ""), note=request.POST.get("note", "")
        )
    except DomainError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("Membership status changed."))
    return redirect(membership)


def _member_form(form: Any, membership: Membership, title: str) -> dict[str, Any]:
    return {"form": form, "membership": membership, "title": title, "cancel_url": membership.get_absolute_url()}


def _operated(request: HttpRequest, pk: int) -> Membership:
    membership = _membership(request, pk)
    require(request.user, "loyalty.operate", membership)
    return membership


@permission_required("loyalty.operate")
def points_adjust(request: HttpRequest, pk: int) -> HttpResponse:
    membership = _operated(request, pk)
    form = AdjustForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            entry = services.points_adjust(
                actor=request.user,
                membership=membership,
                points=form.cleaned_data["points"],
                reason=form.cleaned_data["reason"],
            )
        except ERRORS as exc:
            show_service_error(form, exc)
        else:
            messages.success(
                request,
                _("Adjustment of %(points)s points recorded.") % {"points": selectors.signed_points(entry.points)},
            )
            return redirect(membership)
    return render(request, "loyalty/adjust_form.html", _member_form(form, membership, _("Adjust points")))


@permission_required("loyalty.operate")
def redeem(request: HttpRequest, pk: int) -> HttpResponse:
    membership = _operated(request, pk)
    form = RedeemForm(request.POST or None, membership=membership)
    if request.method == "POST" and form.is_valid():
        try:
            redemption = services.redemption_create(
                actor=request.user,
                membership=membership,
                reward=form.cleaned_data["reward"],
                note=form.cleaned_data["note"],
            )
        except ERRORS as exc:
            show_service_error(form, exc)
        else:
            messages.success(
                request,
                _("Redemption %(number)s recorded: %(reward)s for %(points)s points.")
                % {"number": redemption.number, "reward": redemption.reward, "points": redemption.points},
            )
            return redirect(membership)
    return render(
        request,
        "loyalty/redeem_form.html",
        {**_member_form(form, membership, _("Redeem a reward")), "rewards": selectors.rewards_for(membership)},
    )


@permission_required("loyalty.operate")
def referral_create(request: HttpRequest, pk: int) -> HttpResponse:
    membership = _operated(request, pk)
    form = ReferralForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            referral = services.referral_record(
                actor=request.user,
                membership=membership,
                referred_customer=form.cleaned_data["referred_customer"],
                note=form.cleaned_data["note"],
            )
        except ERRORS as exc:
            show_service_error(form, exc)
        else:
            if referral.status == referral.Status.REWARDED:
                messages.success(request, _("Referral recorded and its points earned."))
            else:
                messages.success(request, _("Referral recorded: it earns points when the customer becomes active."))
            return redirect(membership)
    return render(request, "loyalty/referral_form.html", _member_form(form, membership, _("Record a referral")))


@permission_required("loyalty.operate")
@require_POST
def referral_cancel(request: HttpRequest, pk: int) -> HttpResponse:
    referral = selectors.referral_get(user=request.user, pk=pk)
    require(request.user, "loyalty.operate", referral)
    try:
        services.referral_cancel(actor=request.user, referral=referral, note=request.POST.get("note", ""))
    except DomainError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("Referral cancelled."))
    return redirect(referral.membership)


@permission_required("loyalty.operate")
def message_create(request: HttpRequest, pk: int) -> HttpResponse:
    membership = _operated(request, pk)
    form = MessageForm(request.POST or None, membership=membership)
    if saved(
        request,
        form,
        lambda data: services.message_record(actor=request.user, membership=membership, data=data),
        message=_("Message logged."),
    ):
        return redirect(membership)
    return render(request, "loyalty/message_form.html", _member_form(form, membership, _("Log a message")))


def _statement_range(request: HttpRequest) -> tuple[dt.date, dt.date]:
    today = timezone.localdate()
    try:
        end = dt.date.fromisoformat(request.GET["to"]) if request.GET.get("to") else today
        start = (
            dt.date.fromisoformat(request.GET["from"])
            if request.GET.get("from")
            else ledger.add_months(dt.datetime.combine(end, dt.time(12)), -12).date()
        )
    except ValueError as exc:
        raise Http404 from exc
    if start > end:
        start, end = end, start
    return start, end


@permission_required("loyalty.view")
def statement(request: HttpRequest, pk: int) -> HttpResponse:
    membership = _membership(request, pk)
    start, end = _statement_range(request)
    content = pdf.statement_pdf(membership=membership, start=start, end=end)
    response = HttpResponse(content, content_type="application/pdf")
    filename = f"extracto-{membership.number}-{end:%Y%m%d}.pdf"
    response["Content-Disposition"] = f'inline; filename="{filename}"'
    return response


# --- the ledger, redemptions, messages -----------------------------------------------------------


class EntryListView(RecordListView):
    permission = "loyalty.view"
    template_name = "loyalty/entry_list.html"
    filterset_class = EntryFilter
    sort_fields = {"date": "created_at", "points": "points", "kind": "kind", "customer": "membership__customer__name"}
    default_sort = "-date"
    export_columns = staticmethod(exports.entry_columns)
    export_basename = "movimientos-puntos"

    def base_queryset(self):
        return selectors.entries_list(user=self.request.user)


class RedemptionListView(RecordListView):
    permission = "loyalty.view"
    template_name = "loyalty/redemption_list.html"
    filterset_class = RedemptionFilter
    sort_fields = {
        "number": "number",
        "date": "created_at",
        "customer": "membership__customer__name",
        "reward": "reward__name",
        "points": "points",
        "status": "status",
    }
    default_sort = "-date"
    export_columns = staticmethod(exports.redemption_columns)
    export_basename = "canjes"

    def base_queryset(self):
        return selectors.redemption_list(user=self.request.user)


@permission_required("loyalty.operate")
@require_POST
def redemption_transition(request: HttpRequest, pk: int) -> HttpResponse:
    redemption = selectors.redemption_get(user=request.user, pk=pk)
    require(request.user, "loyalty.operate", redemption)
    target = request.POST.get("to", "")
    try:
        services.redemption_transition(
            actor=request.user, redemption=redemption, to=target, note=request.POST.get("note", "")
        )
    except DomainError as exc:
        messages.error(request, str(exc))
    else:
        if target == Redemption.Status.CANCELLED:
            messages.success(request, _("Redemption cancelled and its points returned to the member."))
        else:
            messages.success(request, _("Reward marked as delivered."))
    next_url = request.POST.get("next", "")
    if next_url.startswith("/") and not next_url.startswith("//"):
        return redirect(next_url)
    return redirect(redemption.membership)


class MessageListView(RecordListView):
    permission = "loyalty.view"
    template_name = "loyalty/message_list.html"
    filterset_class = MessageFilter
    sort_fields = {"sent": "sent_at", "customer": "membership__customer__name", "channel": "channel", "kind": "kind"}
    default_sort = "-sent"
    export_columns = staticmethod(exports.message_columns)
    export_basename = "comunicaciones-fidelizacion"

    def base_queryset(self):
        return selectors.message_list(user=self.request.user)


# --- retention -----------------------------------------------------------------------------------


@permission_required("loyalty.view")
def retention(request: HttpRequest) -> HttpResponse:
    error = ""
    try:
        period = Period.parse(request.GET["period"]) if request.GET.get("period") else Period.current_quarter()
    except PeriodError as exc:
        error, period = str(exc), Period.current_quarter()
    programmes = list(selectors.programme_list(user=request.user).exclude(status=LoyaltyProgramme.Status.DRAFT))
    programme = next((p for p in programmes if str(p.pk) == request.GET.get("programme")), None) or (
        programmes[0] if programmes else None
    )
    trend = selectors.retention_trend(period=period)
    current = trend[-1]
    chart = {
        "type": "line",
        "data": {
            "labels": [str(row["period"]) for row in trend],
            "datasets": [
                {"label": _("Churn (%)"), "data": [row["churn"].value for row in trend], "borderColor": "#b42318"},
                {
                    "label": _("Retention (%)"),
                    "data": [row["renewal"].value for row in trend],
                    "borderColor": "#166534",
                },
                {
                    "label": _("Repeat rate (%)"),
                    "data": [row["repeat"].value for row in trend],
                    "borderColor": "#1d4ed8",
                },
            ],
        },
        "options": {"responsive": True, "aspectRatio": 3, "scales": {"y": {"min": 0, "max": 100}}},
    }
    context = {
        "period": period,
        "error": error,
        "current": current,
        "trend": trend,
        "chart": chart,
        "programmes": programmes,
        "programme": programme,
        "rows": selectors.retention_by_tier(period=period, programme=programme) if programme else [],
        "provisional": period.is_provisional(),
        "contract_renewal": selectors.contract_renewal_rate(period=period),
    }
    return render(request, "loyalty/retention.html", context)
