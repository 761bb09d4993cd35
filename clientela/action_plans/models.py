"""Corrective and improvement action plans (ISO 9001 10.2)."""
