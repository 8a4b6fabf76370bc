"""Alembic environment: run with the connection ``store.db.open_database`` hands over."""

from __future__ import annotations

from alembic import context
from sqlalchemy import create_engine

import store.console_models  # noqa: F401,E402 - registers the console tables on Base.metadata
from store.models import Base

config = context.config
connection = config.attributes.get("connection")

if connection is not None:
    context.configure(connection=connection, target_metadata=Base.metadata, render_as_batch=True)
    with context.begin_transaction():
        context.run_migrations()
else:  # the alembic command line: -x url=... or sqlalchemy.url in alembic.ini
    url = context.get_x_argument(as_dictionary=True).get("url") or config.get_main_option("sqlalchemy.url")
    with create_engine(url).connect() as conn:
        context.configure(connection=conn, target_metadata=Base.metadata, render_as_batch=True)
        with context.begin_transaction():
            context.run_migrations()
