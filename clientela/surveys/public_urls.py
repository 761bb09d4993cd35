"""Public survey pages (no login): /s/<token>/."""

urlpatterns: list = []
