"""Loyalty programmes, points ledger and retention."""

app_name = "loyalty"

urlpatterns: list = []
