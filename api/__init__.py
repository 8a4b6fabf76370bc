"""The faces of huiqi: the ``huiqi`` CLI, the FastAPI app (JSON API, self-check pages, console)."""
