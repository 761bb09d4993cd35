"""Contracts, contract review, regulations, deliverables and deliveries."""
