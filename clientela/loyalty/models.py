"""Loyalty programmes, points ledger and retention."""
