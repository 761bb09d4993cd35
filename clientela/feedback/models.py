"""Complaints, suggestions and compliments (ISO 10002)."""
