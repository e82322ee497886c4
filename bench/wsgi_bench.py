"""The app as gunicorn serves it, plus what the bench measures (bench only, never deployed).

    gunicorn -c gunicorn.conf.py --chdir bench wsgi_bench:app     (bench/load.py starts it)

Adds an X-Bench-Statements response header: the SQL statements the request ran (counted on
the engine; sync workers serve one request at a time). faulthandler is on, so a worker that
dies of a signal leaves its traceback in the log. Configured from the environment like
wsgi.py (TRACKER_DATABASE_URL …); bench/load.py raises the sign-in limits for the bench.
"""

import faulthandler
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import event  # noqa: E402

from tracker import create_app  # noqa: E402
from tracker.extensions import db  # noqa: E402

faulthandler.enable()

app = create_app()
_count = [0]


def _before_cursor_execute(*_args, **_kwargs):
    _count[0] += 1


with app.app_context():
    event.listen(db.engine, "before_cursor_execute", _before_cursor_execute)


_inner = app.wsgi_app


def _counting_wsgi_app(environ, start_response):
    _count[0] = 0  # before every hook of the app, so the header counts the whole request
    return _inner(environ, start_response)


app.wsgi_app = _counting_wsgi_app


@app.after_request
def _statements_header(response):
    response.headers["X-Bench-Statements"] = str(_count[0])
    return response
