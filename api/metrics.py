"""Every Prometheus metric of the service, in one place (``/metrics``, prometheus-client).

Any module counts by importing a metric from here (``metrics.EVALUATIONS.labels(face="api").inc()``).
With several workers, ``huiqi serve`` sets ``PROMETHEUS_MULTIPROC_DIR`` (emptied on start) before
the workers start, so each worker writes its samples to files there and a scrape of any worker
adds them up (prometheus-client's multiprocess mode). Batch progress is read from the database
at scrape time: a batch runs in its own ``huiqi batch`` process, and the database is where every
process can see it.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Iterator

from prometheus_client import REGISTRY, CollectorRegistry, Counter, Histogram, generate_latest, multiprocess
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.registry import Collector
from sqlalchemy import Engine, func, select

from store.models import BatchChunk, BatchRun

log = logging.getLogger("huiqi.metrics")
CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8"

REQUESTS = Counter("huiqi_http_requests", "HTTP requests by route template, method and status",
                   ["route", "method", "status"])
LATENCY = Histogram("huiqi_http_request_duration_seconds", "Time to answer an HTTP request, by route template",
                    ["route", "method"],
                    buckets=(0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0))
EVALUATIONS = Counter("huiqi_evaluations", "Profiles evaluated, by face (api, form, console)", ["face"])
INTERVIEW_STEPS = Counter("huiqi_interview_steps", "Questions answered in a step-by-step interview, by face",
                          ["face"])
LOGIN_FAILURES = Counter("huiqi_login_failures", "Failed console logins, by reason (wrong_password, locked)",
                         ["reason"])
LOCKOUTS = Counter("huiqi_account_lockouts", "Console accounts locked after too many wrong passwords")
RATE_LIMITED = Counter("huiqi_rate_limited", "Requests refused with 429, by bucket (public, login)", ["bucket"])


class BatchProgress(Collector):
    """Batch runs by status, and for each running run the enterprises and chunks committed so far."""

    def __init__(self, engine: Engine | None, error: str | None = None) -> None:
        self.engine = engine
        self.error = error

    def collect(self) -> Iterator[GaugeMetricFamily]:
        up = GaugeMetricFamily("huiqi_database_up", "1 when the database answered this scrape")
        if self.engine is None:
            up.add_metric([], 0)
            yield up
            return
        try:
            with self.engine.connect() as conn:
                by_status = conn.execute(select(BatchRun.status, func.count()).group_by(BatchRun.status)).all()
                running = conn.execute(
                    select(BatchRun.id, func.coalesce(func.sum(BatchChunk.rows), 0), func.count(BatchChunk.chunk_no))
                    .join(BatchChunk, BatchChunk.run_id == BatchRun.id, isouter=True)
                    .where(BatchRun.status == "running").group_by(BatchRun.id)).all()
        except Exception as exc:  # noqa: BLE001 - a scrape must answer even when the database does not
            log.warning("metrics: database unreachable: %s", exc.__class__.__name__)
            up.add_metric([], 0)
            yield up
            return
        up.add_metric([], 1)
        yield up
        runs = GaugeMetricFamily("huiqi_batch_runs", "Batch runs by status", labels=["status"])
        for status, count in by_status:
            runs.add_metric([status], count)
        yield runs
        done = GaugeMetricFamily("huiqi_batch_enterprises_done", "Enterprises committed so far by a running batch",
                                 labels=["run_id"])
        chunks = GaugeMetricFamily("huiqi_batch_chunks_done", "Chunks committed so far by a running batch",
                                   labels=["run_id"])
        for run_id, rows, count in running:
            done.add_metric([run_id], int(rows))
            chunks.add_metric([run_id], count)
        yield done
        yield chunks


class _Default(Collector):
    """The process's own registry (single-process mode), inside a per-scrape registry."""

    def collect(self) -> Iterator[object]:
        yield from REGISTRY.collect()


def render(batch: BatchProgress) -> bytes:
    """The text exposition of every worker's metrics plus batch progress."""
    registry = CollectorRegistry()
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        multiprocess.MultiProcessCollector(registry)
    else:
        registry.register(_Default())
    registry.register(batch)
    return generate_latest(registry)

