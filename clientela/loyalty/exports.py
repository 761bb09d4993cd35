"""Columns of the loyalty lists' CSV and XLSX exports."""

from collections import defaultdict

from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from clientela.core.exporting import Column

from . import ledger
from .models import Tier


def programme_columns() -> list[Column]:
    return [
        Column("name", _("Name"), lambda p: p.name, 30),
        Column("status", _("Status"), lambda p: p.get_status_display()),
        Column("members", _("Active members"), lambda p: p.member_count),
        Column("points_validity_months", _("Points valid for (months)"), lambda p: p.points_validity_months),
        Column("enrol_segments", _("Segments enrolled automatically"), lambda p: ", ".join(p.enrol_segments), 30),
    ]


def membership_columns() -> list[Column]:
    tiers: dict[int, list[Tier]] = defaultdict(list)
    for tier in Tier.objects.filter(archived_at__isnull=True):
        tiers[tier.programme_id].append(tier)

    def tier_name(member) -> str:
        tier = ledger.tier_for(tiers[member.programme_id], member.qualifying)
        return tier.name if tier else ""

    return [
        Column("number", _("Member number"), lambda m: m.number),
        Column("customer_code", _("Customer code"), lambda m: m.customer.code),
        Column("customer", _("Customer"), lambda m: m.customer.name, 34),
        Column("programme", _("Programme"), lambda m: m.programme.name, 26),
        Column("status", _("Status"), lambda m: m.get_status_display()),
        Column("enrolled_at", _("Enrolled on"), lambda m: m.enrolled_at),
        Column("balance", _("Points balance"), lambda m: m.balance),
        Column("qualifying", _("Points earned in 12 months"), lambda m: m.qualifying),
        Column("tier", _("Tier"), tier_name),
    ]


def entry_columns() -> list[Column]:
    return [
        Column("created_at", _("Date"), lambda e: e.created_at),
        Column("member", _("Member number"), lambda e: e.membership.number),
        Column("customer", _("Customer"), lambda e: e.membership.customer.name, 34),
        Column("programme", _("Programme"), lambda e: e.membership.programme.name, 26),
        Column("kind", _("Kind"), lambda e: e.get_kind_display()),
        Column("points", _("Points"), lambda e: e.points),
        Column("reason", _("Reason"), lambda e: e.reason, 40),
        Column("source", _("Source"), lambda e: e.source_label),
        Column("expires_at", _("Expires on"), lambda e: e.expires_at),
        Column("actor", pgettext_lazy("loyalty", "Recorded by"), lambda e: str(e.actor or "")),
    ]


def redemption_columns() -> list[Column]:
    return [
        Column("number", _("Number"), lambda r: r.number),
        Column("created_at", _("Date"), lambda r: r.created_at),
        Column("member", _("Member number"), lambda r: r.membership.number),
        Column("customer", _("Customer"), lambda r: r.membership.customer.name, 34),
        Column("reward", _("Reward"), lambda r: r.reward.name, 30),
        Column("points", _("Points"), lambda r: r.points),
        Column("status", _("Status"), lambda r: r.get_status_display()),
        Column("delivered_at", _("Delivered on"), lambda r: r.delivered_at),
    ]


def message_columns() -> list[Column]:
    return [
        Column("sent_at", _("Sent on"), lambda m: m.sent_at),
        Column("member", _("Member number"), lambda m: m.membership.number),
        Column("customer", _("Customer"), lambda m: m.membership.customer.name, 34),
        Column("recipient", _("Sent to"), lambda m: m.recipient, 28),
        Column("channel", _("Channel"), lambda m: m.get_channel_display()),
        Column("kind", _("Kind"), lambda m: m.get_kind_display()),
        Column("subject", _("Subject"), lambda m: m.subject, 40),
        Column("sent_by", _("Sent by"), lambda m: str(m.sent_by or "")),
    ]
