"""Clientela's benchmark suite: a data generator (`generate.py`) and a runner (`run.py`).

See docs/performance.md for the figures and how to reproduce them.
"""
