"""The background work of the web app run directly through the job manager."""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parents[1]))  # snapshot_data

from snapshot_data import synthetic_record, write_snapshot

from paperpath.library import Library
from paperpath.web.jobs import JobManager
from paperpath.web.jobs_work import ingest_job


def test_ingest_with_prepare_embeds_for_the_first_plan(web_lib: Library,
                                                       tmp_path: Path) -> None:
    snapshot = write_snapshot(tmp_path / "snap.jsonl",
                              [synthetic_record(i) for i in range(1, 21)])
    jobs = JobManager(web_lib)
    job = jobs.wait(jobs.start("ingest", "Ingest", ingest_job(snapshot, prepare=True)).id, 120)
    assert job.state == "done", job.message
    assert "ingested 20 papers" in job.message and "ready for your weekly plans" in job.message
    service = web_lib.related()
    service.index.refresh()
    assert service.index.n == len(web_lib)  # every paper has its vector: no wait at /week


def test_a_failed_job_reports_and_the_manager_goes_on(web_lib: Library, tmp_path: Path) -> None:
    jobs = JobManager(web_lib)
    bad = write_snapshot(tmp_path / "bad.jsonl", ["{not json"] * 3)
    job = jobs.wait(jobs.start("ingest", "Ingest bad", ingest_job(bad)).id, 60)
    assert job.state in ("done", "failed")
    missing = jobs.wait(jobs.start("ingest", "Ingest missing",
                                   ingest_job(tmp_path / "nope.jsonl")).id, 60)
    assert missing.state == "failed" and "nope.jsonl" in missing.message
    assert missing.finished is not None and missing.ended.is_set()
