"""Satisfaction surveys at lifecycle points."""
