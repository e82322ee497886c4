"""Several real processes save the same report at once (SQLite file or PostgreSQL):
exactly one wins per version, nobody sees "database is locked", nothing is lost."""

import multiprocessing
import os

import pytest
from freezegun import freeze_time
from sqlalchemy import select

from tracker.extensions import db
from tracker.reports.models import ProgressReport

WORKERS = 6


def _worker(database_url, instance, username, password, task_id, version, text, start, out):
    """One browser tab in its own process: sign in, wait for the start signal, save."""
    os.environ["TRACKER_INSTANCE_PATH"] = instance
    from tracker import create_app

    app = create_app(
        {
            "TESTING": True,
            "SQLALCHEMY_DATABASE_URI": database_url,
            "SECRET_KEY": "concurrency",
            "WTF_CSRF_ENABLED": False,
        }
    )
    with freeze_time("2026-11-20 09:00:00"):
        client = app.test_client()
        client.post("/login", data={"username": username, "password": password})
        start.wait(30)
        response = client.post(
            "/reports/save",
            data={
                "task_id": str(task_id),
                "version": str(version),
                "progress": text,
                "percent": "50",
                "problems": "",
                "next_steps": "",
                "action": "draft",
            },
        )
    body = response.get_data(as_text=True)
    out.put((text, response.status_code, "database is locked" in body or "Traceback" in body))


def _race(app, database_url, tmp_path, task_id, version):
    context = multiprocessing.get_context("fork")
    start, out = context.Event(), context.Queue()
    processes = [
        context.Process(
            target=_worker,
            args=(
                database_url,
                str(tmp_path / "instance"),
                "liaison1",
                "secret-pass-1",
                task_id,
                version,
                f"第{i}个进程的文字",
                start,
                out,
            ),
        )
        for i in range(WORKERS)
    ]
    db.session.remove()
    db.engine.dispose()  # no connection shared with the children
    for p in processes:
        p.start()
    start.set()
    results = [out.get(timeout=60) for _ in processes]
    for p in processes:
        p.join(30)
    return results


@pytest.mark.parametrize("existing", [False, True], ids=["first-save", "same-version"])
@freeze_time("2026-11-20 09:00:00")
def test_exactly_one_save_wins_per_version(
    app, open_tasks, client_for, report_form, database_url, tmp_path, existing
):
    task_id = open_tasks["ids"]["own_task"]
    version = 0
    if existing:
        client_for("liaison").post("/reports/save", data=report_form(task_id))
        version = 1
    results = _race(app, database_url, tmp_path, task_id, version)

    codes = sorted(code for _text, code, _bad in results)
    assert codes == [302] + [409] * (WORKERS - 1), results
    assert not any(bad for _text, _code, bad in results)
    winner = next(text for text, code, _bad in results if code == 302)
    reports = db.session.scalars(
        select(ProgressReport).where(ProgressReport.task_id == task_id)
    ).all()
    assert len(reports) == 1
    assert reports[0].progress == winner
    assert reports[0].version == version + 1
