"""Loyalty programmes, points ledger and retention."""

from django.urls import path

from . import views

app_name = "loyalty"

urlpatterns = [
    path("", views.index, name="index"),
    path("programmes/", views.ProgrammeListView.as_view(), name="programmes"),
    path("programmes/new/", views.programme_create, name="programme_create"),
    path("programmes/<int:pk>/", views.programme_detail, name="programme_detail"),
    path("programmes/<int:pk>/edit/", views.programme_edit, name="programme_edit"),
    path("programmes/<int:pk>/transition/", views.programme_transition, name="programme_transition"),
    path("programmes/<int:pk>/auto-enrol/", views.programme_auto_enrol, name="programme_auto_enrol"),
    path("programmes/<int:pk>/campaign/", views.campaign, name="campaign"),
    path("members/", views.MembershipListView.as_view(), name="memberships"),
    path("members/new/", views.enrol, name="enrol"),
    path("members/<int:pk>/", views.membership_detail, name="membership_detail"),
    path("members/<int:pk>/transition/", views.membership_transition, name="membership_transition"),
    path("members/<int:pk>/adjust/", views.points_adjust, name="points_adjust"),
    path("members/<int:pk>/redeem/", views.redeem, name="redeem"),
    path("members/<int:pk>/referrals/new/", views.referral_create, name="referral_create"),
    path("members/<int:pk>/messages/new/", views.message_create, name="message_create"),
    path("members/<int:pk>/statement.pdf", views.statement, name="statement"),
    path("referrals/<int:pk>/cancel/", views.referral_cancel, name="referral_cancel"),
    path("points/", views.EntryListView.as_view(), name="points"),
    path("redemptions/", views.RedemptionListView.as_view(), name="redemptions"),
    path("redemptions/<int:pk>/transition/", views.redemption_transition, name="redemption_transition"),
    path("messages/", views.MessageListView.as_view(), name="messages"),
    path("retention/", views.retention, name="retention"),
]

# Tiers, earning rules and rewards: the same three pages for each part of a programme's catalogue.
for kind in ("tier", "rule", "reward"):
    urlpatterns += [
        path(f"programmes/<int:pk>/{kind}s/new/", views.catalogue_create, {"kind": kind}, name=f"{kind}_create"),
        path(f"{kind}s/<int:pk>/", views.catalogue_edit, {"kind": kind}, name=f"{kind}_edit"),
        path(f"{kind}s/<int:pk>/archive/", views.catalogue_archive, {"kind": kind}, name=f"{kind}_archive"),
    ]
