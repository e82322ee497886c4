"""A worker compiles every template and freezes its start-up objects before its first request
(tracker/warmup.py, called from gunicorn.conf.py's post_worker_init)."""

import gc
import logging
import os
import runpy
from pathlib import Path

from tracker.warmup import compile_templates, prepare_worker

ROOT = Path(__file__).resolve().parent.parent


def test_every_template_is_compiled_once_at_start(app):
    names = app.jinja_env.list_templates(extensions=("html", "txt"))
    assert len(names) > 50  # the app's pages and e-mails, not an empty loader
    assert compile_templates(app) == len(names)
    # the next lookups come from the cache: the very same compiled template objects
    first = {name: app.jinja_env.get_template(name) for name in names}
    assert all(app.jinja_env.get_template(name) is first[name] for name in names)


def test_prepare_worker_freezes_what_exists_at_start(app):
    gc.unfreeze()
    try:
        assert gc.get_freeze_count() == 0
        assert prepare_worker(app) > 50
        assert gc.get_freeze_count() > 10_000  # the loaded app, not a handful of objects
    finally:
        gc.unfreeze()


class _Worker:
    """What gunicorn hands to post_worker_init: the loaded app, a pid and a logger."""

    def __init__(self, wsgi):
        self.wsgi, self.pid, self.log = wsgi, 1234, logging.getLogger("test.gunicorn")


def test_gunicorn_settings_prepare_each_worker(app, caplog):
    settings = runpy.run_path(str(ROOT / "gunicorn.conf.py"))
    gc.unfreeze()
    try:
        with caplog.at_level(logging.INFO, logger="test.gunicorn"):
            settings["post_worker_init"](_Worker(app))
        assert gc.get_freeze_count() > 0
        assert "templates compiled" in caplog.text
        # an app without templates (another WSGI callable) is left alone
        settings["post_worker_init"](_Worker(lambda environ, start_response: []))
    finally:
        gc.unfreeze()


def test_gunicorn_runs_one_worker_per_core_unless_told(monkeypatch):
    """The app is CPU-bound: more sync workers than cores cost each request ≈ 40 % more CPU
    at the deadline surge (docs/deployment.md); WEB_CONCURRENCY still sets the number."""
    monkeypatch.delenv("WEB_CONCURRENCY", raising=False)
    settings = runpy.run_path(str(ROOT / "gunicorn.conf.py"))
    assert settings["workers"] == settings["cores"]() >= 1
    if hasattr(os, "sched_getaffinity"):  # Linux: the cores this process may run on
        assert settings["workers"] == len(os.sched_getaffinity(0))
    monkeypatch.setenv("WEB_CONCURRENCY", "7")
    assert runpy.run_path(str(ROOT / "gunicorn.conf.py"))["workers"] == 7
