"""The columnar backend: the rules' intermediate form compiled to Polars columns (batch only).

Imported by the batch, never by the web path. ``evaluate_columns`` gives the same results as
``engine.evaluate.evaluate_many`` (durable-rules), byte for byte (tests/test_columnar.py).
"""

from engine.columnar.evaluate import ColumnarRun, compiled, evaluate_columns

__all__ = ["ColumnarRun", "compiled", "evaluate_columns"]
