"""Storage for batch runs, their results and the imported enterprise registry (SQLAlchemy 2 + Alembic)."""
