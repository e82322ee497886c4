"""Maintenance mode: while `<instance>/maintenance.lock` exists every request except static
files answers 503 with a short page, so nothing writes (a restore needs that).

The lock is a file, not a database row, because the database is what is being replaced; every
worker checks it on each request (one stat call). Turn it on and off with
`flask --app wsgi backup maintenance on|off`.
"""

import json
import os
from datetime import UTC, datetime
from pathlib import Path

from flask import Flask, render_template, request

LOCK_NAME = "maintenance.lock"


def lock_path(instance_path: str | Path) -> Path:
    return Path(instance_path) / LOCK_NAME


def is_on(instance_path: str | Path) -> bool:
    return lock_path(instance_path).exists()


def turn_on(instance_path: str | Path, reason: str) -> None:
    path = lock_path(instance_path)
    path.parent.mkdir(parents=True, exist_ok=True)
    info = {"reason": reason, "since": datetime.now(UTC).isoformat(), "pid": os.getpid()}
    path.write_text(json.dumps(info, ensure_ascii=False))


def turn_off(instance_path: str | Path) -> None:
    lock_path(instance_path).unlink(missing_ok=True)


def status(instance_path: str | Path) -> dict | None:
    path = lock_path(instance_path)
    try:
        return json.loads(path.read_text())
    except FileNotFoundError:
        return None
    except (OSError, ValueError):
        return {"reason": "?", "since": "?"}


def register_maintenance(app: Flask) -> None:
    @app.before_request
    def maintenance_page():
        if request.endpoint == "static" or not is_on(app.instance_path):
            return None
        # The page reads no database and no session: the database may be half restored.
        response = app.make_response((render_template("errors/maintenance.html"), 503))
        response.headers["Retry-After"] = "300"
        response.headers["Cache-Control"] = "no-store"
        return response
