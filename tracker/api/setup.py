"""Binds the API to the app: the OpenAPI document and its page, the resource blueprints
(CSRF-exempt: they accept tokens, never the session cookie), the token pages, the per-token
rate limit."""

from flask import Flask

from tracker.api import token_views, views_reports, views_supervision, views_work
from tracker.api.auth import init_api_limiter
from tracker.api.blueprints import fallback
from tracker.api.core import API_CONFIG, make_api
from tracker.extensions import csrf

RESOURCES = (views_work.bp, views_reports.bp, views_supervision.bp)


def init_api(app: Flask) -> None:
    for key, value in API_CONFIG.items():
        app.config.setdefault(key, value)
    api = make_api()
    api.init_app(app)
    for blueprint in RESOURCES:
        api.register_blueprint(blueprint)
        csrf.exempt(blueprint)
    app.register_blueprint(fallback)
    csrf.exempt(fallback)
    app.register_blueprint(token_views.bp)
    init_api_limiter(app)
    app.extensions["tracker_api"] = api
