"""All console routers, and ``install(app)`` to mount them."""

from __future__ import annotations

from fastapi import FastAPI

from api.console import routes_admin, routes_api, routes_auth, routes_desk, routes_log

# every router except ``routes_auth.public`` requires a logged-in staff member (tests/console/test_access.py)
PROTECTED = (routes_auth.protected, routes_desk.router, routes_log.router, routes_admin.router, routes_api.router)


def install(app: FastAPI) -> None:
    routes_auth.install(app)
    app.include_router(routes_auth.public)
    for router in PROTECTED:
        app.include_router(router)
