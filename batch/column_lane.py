"""Placeholder for the column lane (the lead's module replaces this file): only its switch, so that
tests/batch/test_column_lane.py can toggle it while the lane is written."""

ENABLED = True
