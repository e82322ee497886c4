"""Gunicorn settings for the tracker (gunicorn reads ./gunicorn.conf.py by itself when started
from the project folder; elsewhere pass `-c /path/to/gunicorn.conf.py`).

Issue 13: workers died with SIGSEGV at province scale. Every worker therefore enables
`faulthandler` right after the fork, so a crash leaves the Python stack of every thread in
the error log ("Fatal Python error: Segmentation fault" followed by the frames), and a worker
killed for a timeout dumps its stack before it goes. Run with `--capture-output` (set here)
so that what faulthandler writes to stderr lands in the error log. See docs/deployment.md.

Settings given on the command line win over the ones here (bind, workers, log files).

TRACKER_SOAK_PRELOAD_LXML=1 makes each worker import lxml, python-docx and openpyxl at start,
as every worker did before issue 13; only bench/soak.py sets it, to compare the two.
"""

import faulthandler
import os
import sys

wsgi_app = "wsgi:app"
bind = os.environ.get("TRACKER_BIND", "127.0.0.1:8000")


# One sync worker per core this process may run on: the app is CPU-bound (issue 13's deadline
# surge on 2 cores: 2 workers served 59.6 submissions/s, 4 workers 44/s — with more workers
# than cores each request costs ≈ 40 % more CPU, the workers evicting each other's caches).
# Set WEB_CONCURRENCY for more when requests wait on a distant database (docs/deployment.md).
def cores() -> int:
    """The cores this process may run on (Linux: its CPU affinity; elsewhere every core)."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # macOS, Windows
        return os.cpu_count() or 1


workers = int(os.environ.get("WEB_CONCURRENCY") or cores())
worker_class = "sync"
timeout = 60
capture_output = True  # the workers' stderr (faulthandler's traces) goes to the error log
# gunicorn ≥ 24 listens on $HOME/.gunicorn/gunicorn.ctl by default: one path for every
# instance on the host, so two app nodes (or a soak beside production) would fight over it.
control_socket_disable = True


def post_fork(server, worker):
    """In each new worker: print the Python stacks on SIGSEGV, SIGFPE, SIGABRT, SIGBUS, SIGILL."""
    faulthandler.enable(file=sys.stderr, all_threads=True)
    if os.environ.get("TRACKER_SOAK_PRELOAD_LXML") == "1":
        import docx  # noqa: F401  (the pre-issue-13 import set, for bench/soak.py only)
        import lxml.etree  # noqa: F401
        import openpyxl  # noqa: F401
    server.log.info("worker %s: faulthandler enabled", worker.pid)


def post_worker_init(worker):
    """Once the worker has loaded the app: compile every template and freeze the start-up
    objects out of the garbage collector's way (tracker/warmup.py), so no request pays for
    them."""
    app = getattr(worker, "wsgi", None)
    if getattr(app, "jinja_env", None) is not None:
        from tracker.warmup import prepare_worker  # noqa: PLC0415 - after the app is loaded

        compiled = prepare_worker(app)
        worker.log.info("worker %s: %d templates compiled", worker.pid, compiled)


def worker_abort(worker):
    """A worker killed for a timeout (SIGABRT): log where it was stuck."""
    faulthandler.dump_traceback(file=sys.stderr, all_threads=True)
