"""Getting a web worker ready before its first request (issue 13).

At province scale a worker's first request for a page cost 150–230 ms more than the next
ones: Jinja compiled the page's templates on first use. And once the worker has loaded the
app, a full garbage collection walks every object of Flask, SQLAlchemy, Babel and the
compiled templates (≈ 90–110 ms) and lands on whichever request happens to allocate at
that moment. `prepare_worker` compiles every template once at start and then moves what
exists at that point into the collector's permanent generation (`gc.freeze()`), so later
collections walk only what requests allocate. gunicorn.conf.py calls it after each worker
has loaded the app.
"""

import gc


def compile_templates(app) -> int:
    """Load (compile and cache) every .html and .txt template of the app; how many."""
    names = app.jinja_env.list_templates(extensions=("html", "txt"))
    for name in names:
        app.jinja_env.get_template(name)
    return len(names)


def prepare_worker(app) -> int:
    """Compile the templates, then keep the start-up objects out of later collections.
    Returns the number of templates compiled."""
    compiled = compile_templates(app)
    gc.collect()
    gc.freeze()
    return compiled
