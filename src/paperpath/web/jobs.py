"""Background jobs (ingest, sync, embedding, analysis, the map) for the web app.

Each job runs in its own thread and reports progress into a `Job` the pages poll
(`/api/jobs/ID`), so a reload — or another tab — shows the same job still going. One job of a
kind runs at a time: starting a second ingest while one runs returns the running one. Jobs
live as long as the server; the work they do is resumable by the library itself (an
interrupted ingest continues where it stopped when started again).
"""

from __future__ import annotations

import itertools
import threading
import time
import traceback
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from paperpath.library import Library

KEEP_FINISHED = 50


@dataclass
class Job:
    id: str
    kind: str
    label: str
    state: str = "queued"  # queued | running | done | failed
    done: int = 0
    total: int = 0
    message: str = ""
    started: float = field(default_factory=time.time)
    finished: float | None = None
    result: Any = None
    ended: threading.Event = field(default_factory=threading.Event, repr=False)

    def to_dict(self) -> dict[str, Any]:
        return {"id": self.id, "kind": self.kind, "label": self.label, "state": self.state,
                "done": self.done, "total": self.total, "message": self.message,
                "started": self.started, "finished": self.finished,
                "fraction": (self.done / self.total) if self.total else None}


class Reporter:
    """What a job's work function gets: call it with progress; it never raises."""

    def __init__(self, job: Job) -> None:
        self.job = job

    def __call__(self, done: int, total: int | None = None, message: str | None = None) -> None:
        self.job.done = int(done)
        if total is not None:
            self.job.total = int(total)
        if message is not None:
            self.job.message = message


Work = Callable[[Library, Reporter], str]


class JobManager:
    def __init__(self, lib: Library) -> None:
        self.lib = lib
        self._jobs: dict[str, Job] = {}
        self._lock = threading.Lock()
        self._ids = itertools.count(1)

    def start(self, kind: str, label: str, work: Work) -> Job:
        """Run ``work(lib, report)`` in the background; it returns the finishing message."""
        with self._lock:
            for job in self._jobs.values():
                if job.kind == kind and job.state in ("queued", "running"):
                    return job
            job = Job(id=f"{kind}-{next(self._ids)}", kind=kind, label=label)
            self._jobs[job.id] = job
            self._trim()
        thread = threading.Thread(target=self._run, args=(job, work), daemon=True,
                                  name=f"paperpath-job-{job.id}")
        thread.start()
        return job

    def _run(self, job: Job, work: Work) -> None:
        job.state = "running"
        job.message = job.message or f"{job.label}…"
        try:
            job.message = work(self.lib, Reporter(job)) or "done"
            job.state = "done"
        except Exception as exc:  # a failed job reports; the server goes on
            job.state = "failed"
            job.message = f"{job.label} failed: {exc}"
            job.result = traceback.format_exc(limit=5)
        finally:
            job.finished = time.time()
            job.ended.set()

    def _trim(self) -> None:
        finished = sorted((j for j in self._jobs.values() if j.state in ("done", "failed")),
                          key=lambda j: j.started)
        for job in finished[:max(0, len(finished) - KEEP_FINISHED)]:
            self._jobs.pop(job.id, None)

    def get(self, job_id: str) -> Job | None:
        return self._jobs.get(job_id)

    def all(self) -> list[Job]:
        return sorted(self._jobs.values(), key=lambda j: j.started, reverse=True)

    def running(self) -> list[Job]:
        return [j for j in self.all() if j.state in ("queued", "running")]

    def wait(self, job_id: str, timeout: float = 60.0) -> Job:
        """Block until a job ends or ``timeout`` seconds pass; returns the job either way."""
        job = self._jobs[job_id]
        job.ended.wait(timeout)
        return job
