"""API routes of this module: (prefix, viewset, basename)."""

routes: list = []
