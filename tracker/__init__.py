"""tracker: a 督查督办 system. create_app() builds the Flask application."""

import logging
from datetime import UTC
from pathlib import Path

from flask import Flask, g, render_template, request
from werkzeug.routing import IntegerConverter

from tracker import config, database
from tracker.common.http import PathText, TrackerRequest, security_headers
from tracker.config import LOCALE_COOKIE, SUPPORTED_LOCALES
from tracker.extensions import babel, csrf, db, login_manager, migrate
from tracker.timeutil import LOCAL_TZ

PROJECT_ROOT = config.PROJECT_ROOT


def select_locale() -> str:
    """Chinese first: the language cookie if the user chose one, else zh_CN."""
    chosen = request.cookies.get(LOCALE_COOKIE)
    return chosen if chosen in SUPPORTED_LOCALES else "zh_CN"


class _DatabaseId(IntegerConverter):
    """<int:…> in routes: at most 2**31 − 1, the largest id PostgreSQL's INTEGER holds."""

    def __init__(self, url_map, *args, **kwargs):
        kwargs.setdefault("max", 2**31 - 1)
        super().__init__(url_map, *args, **kwargs)


def create_app(config_override: dict | None = None) -> Flask:
    folder = config.instance_path()
    folder.mkdir(parents=True, exist_ok=True)
    app = Flask(
        __name__,
        instance_path=str(folder),
        template_folder=str(PROJECT_ROOT / "templates"),
        static_folder="static",
    )
    # Ids in URLs fit the database's integer: /tasks/99999999999999999999 is "not found",
    # not an overflow error from the driver.
    app.url_map.converters["int"] = _DatabaseId
    app.url_map.converters["default"] = app.url_map.converters["string"] = PathText
    # Form and query text without control characters (NUL breaks PostgreSQL, Excel and Word).
    app.request_class = TrackerRequest
    app.config.update(config.build_config(folder))
    if config_override:
        app.config.update(config_override)

    if app.config["TRACKER_PROXY_FIX"]:
        from werkzeug.middleware.proxy_fix import ProxyFix

        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=1, x_proto=1, x_host=1)

    db.init_app(app)
    from tracker.plans.search import include_object  # the search indexes live in 0007 only

    migrate.init_app(
        app,
        db,
        directory=str(Path(__file__).parent / "migrations"),
        render_as_batch=True,
        include_object=include_object,
    )
    csrf.init_app(app)
    babel.init_app(app, locale_selector=select_locale)
    login_manager.init_app(app)

    from tracker import models  # noqa: F401  (the whole schema)
    from tracker.accounts import auth  # noqa: F401  (registers the user loader)
    from tracker.accounts.views import bp as accounts_bp
    from tracker.calendar.views import bp as settings_bp
    from tracker.dashboard.views import bp as dashboard_bp
    from tracker.pages.views import bp as pages_bp
    from tracker.plans.intake_views import bp as intake_bp
    from tracker.plans.views import bp as plans_bp
    from tracker.reports.evidence.views import bp as evidence_bp
    from tracker.reports.views import bp as reports_bp
    from tracker.scoring.bulletins.views import bp as bulletins_bp
    from tracker.scoring.views import bp as scoring_bp
    from tracker.supervision.delivery.views import bp as notifications_bp
    from tracker.supervision.notices.views import bp as notices_bp
    from tracker.supervision.workflow.views import bp as supervision_bp
    from tracker.units.views import bp as units_bp

    for blueprint in (
        accounts_bp,
        pages_bp,
        plans_bp,
        intake_bp,
        units_bp,
        reports_bp,
        evidence_bp,
        settings_bp,
        supervision_bp,
        notifications_bp,
        notices_bp,
        scoring_bp,
        dashboard_bp,
        bulletins_bp,
    ):
        app.register_blueprint(blueprint)

    from tracker.accounts.security_views import bp as security_bp
    from tracker.accounts.signin import register_session_rules
    from tracker.accounts.throttle import init_throttle
    from tracker.backup.maintenance import register_maintenance

    register_maintenance(app)  # first: during a restore every page answers 503
    init_throttle(app)
    app.register_blueprint(security_bp)

    from tracker.supervision.delivery.notify import connect_report_hooks

    connect_report_hooks()  # a returned report tells its unit at once

    from tracker.supervision.workflow.reassign import connect as connect_reassign_hooks

    connect_reassign_hooks()  # a reassigned task is handed to its new units at once

    from tracker.plans.milestones.pace import connect as connect_pace_hooks

    connect_pace_hooks()  # a reassigned task's pace follows its new lead unit at once

    from tracker.dashboard.stored import connect as connect_punctuality_hooks

    connect_punctuality_hooks()  # each sweep stores the dashboard's finished months

    from tracker.kept import connect as connect_kept_hooks

    connect_kept_hooks()  # commits that write tasks move the stamp of what pages keep

    from tracker.supervision.workflow.contest.views import bp as contests_bp

    app.register_blueprint(contests_bp)  # 退回交办: return an assignment, /supervision/contests

    from tracker.plans.excel_views import bp as plan_import_bp
    from tracker.plans.search_views import bp as search_bp

    app.register_blueprint(search_bp)  # the search box and the task list (/search, /tasks)
    app.register_blueprint(plan_import_bp)  # Excel in (/plans/import)

    from tracker.plans.document_views import bp as document_import_bp

    app.register_blueprint(document_import_bp)  # a policy document in (/plans/documents/import)

    from tracker.plans.milestones.views import bp as milestones_bp

    app.register_blueprint(milestones_bp)  # 节点 on the task page, the 序时进度 list (/pace)

    from tracker.plans.people.views import bp as people_bp

    app.register_blueprint(people_bp)  # 我分管的, 挂图作战, leaders in charge, responsible persons

    from tracker.api.setup import init_api
    from tracker.public.views import bp as public_bp

    init_api(app)  # /api/v1 (token-authenticated, CSRF-exempt), token and event endpoint pages
    app.register_blueprint(public_bp)  # /public/plans/<slug>: published plans, no sign-in

    from tracker.units.reorganise.views import bp as reorganisations_bp

    app.register_blueprint(reorganisations_bp)  # /reorganisations: records, split wizard

    from tracker.reports.load.views import bp as reporting_load_bp

    app.register_blueprint(reporting_load_bp)  # 报送负担, overlaps, linked tasks (/reporting-load)

    from tracker.cli import register_cli

    register_cli(app)
    _register_error_pages(app)
    _register_template_helpers(app)
    _register_security_headers(app)

    @app.before_request
    def declare_writes():
        """Unsafe methods write: their SQLite transaction starts with BEGIN IMMEDIATE —
        except a view marked database.lock_at_first_write (the lock at its first write)."""
        if request.method not in ("GET", "HEAD", "OPTIONS") and not database.locks_at_first_write(
            app.view_functions.get(request.endpoint)
        ):
            g.write_intent_token = database.declare_write_intent(True)

    @app.teardown_request
    def end_writes(_error):
        token = g.pop("write_intent_token", None)
        if token is not None:
            database.reset_write_intent(token)

    register_session_rules(app)  # after declare_writes: it loads the signed-in user

    if not app.debug and not app.testing:
        logging.basicConfig(level=logging.INFO)
    return app


def _register_error_pages(app: Flask) -> None:
    """Friendly pages in the user's language; never a stack trace."""
    from flask_wtf.csrf import CSRFError

    def page(status: int):
        def handler(error):
            if status == 500:
                db.session.rollback()
                app.logger.exception("unhandled error on %s", request.path)
            return render_template("errors/error.html", status=status), status

        return handler

    for status in (400, 403, 404, 405, 413, 500):
        app.register_error_handler(status, page(status))

    @app.errorhandler(CSRFError)
    def csrf_error(error):
        return render_template("errors/error.html", status=400, csrf=True), 400


def _register_security_headers(app: Flask) -> None:
    """Signed-in pages are never cached (a shared intranet PC's back button shows nothing
    after sign-out); no framing, no MIME sniffing, no referrer outside the site; a strict
    Content-Security-Policy on every page and HSTS in production (common.http).

    "Signed-in" is asked as `not is_anonymous`: a constant on the user object, so a POST
    whose commit expired the user does not reload it (one statement) only for this header.
    The loader and session rules already refused inactive users; an account disabled during
    the request still gets no-store, the stricter answer."""
    from flask_login import current_user

    production = app.config["TRACKER_ENV"] == "production"

    @app.after_request
    def headers(response):
        for name, value in security_headers(response.mimetype, production).items():
            response.headers.setdefault(name, value)
        if request.endpoint != "static" and not current_user.is_anonymous:
            response.headers["Cache-Control"] = "no-store"
        return response


def _register_template_helpers(app: Flask) -> None:
    from tracker.accounts.models import Role
    from tracker.audit_labels import action_label
    from tracker.audit_subjects import audit_subjects
    from tracker.plans.labels import row_labels
    from tracker.plans.lights import LIGHT_LABELS, deadline_state, light_of, past_due
    from tracker.plans.models import TaskStatus
    from tracker.reports.models import Quality, ReportState
    from tracker.supervision.alerts.rules import answer_overdue

    app.add_template_filter(action_label, "action_label")
    app.add_template_global(audit_subjects, "audit_subjects")  # one query a page
    app.add_template_global(row_labels, "row_labels")  # macros: row words once a render

    @app.template_filter("local_time")
    def local_time(value, seconds=False):
        """Stored times are UTC; people read Beijing time (Asia/Shanghai)."""
        if value is None:
            return ""
        if value.tzinfo is None:
            value = value.replace(tzinfo=UTC)
        fmt = "%Y-%m-%d %H:%M:%S" if seconds else "%Y-%m-%d %H:%M"
        return value.astimezone(LOCAL_TZ).strftime(fmt)

    @app.context_processor
    def inject():
        return {
            "Role": Role,
            "TaskStatus": TaskStatus,
            "ReportState": ReportState,
            "Quality": Quality,
            "LIGHT_LABELS": LIGHT_LABELS,
            # deadlines are judged by the rules, never re-derived in a template
            "past_due": past_due,
            "deadline_state": deadline_state,
            "light_of": light_of,
            "answer_overdue": answer_overdue,
            "current_locale": select_locale(),
        }
