"""An API blueprint: token authentication first, ETags on reads, problem details on every
error (its own handlers: the HTML pages keep theirs)."""

from flask import Blueprint as FlaskBlueprint
from flask import current_app, request
from flask_smorest import Blueprint
from werkzeug.exceptions import HTTPException, MethodNotAllowed, NotFound

from tracker.api.auth import authenticate, unauthorized_challenge
from tracker.api.core import with_etag
from tracker.api.problems import Problem, problem_response
from tracker.extensions import db

PREFIX = "/api/v1"


def api_blueprint(name: str, description: str) -> Blueprint:
    blp = Blueprint(name, __name__, url_prefix=PREFIX, description=description)
    blp.before_request(authenticate)
    blp.after_request(with_etag)
    blp.after_request(unauthorized_challenge)
    blp.register_error_handler(HTTPException, problem_response)
    blp.register_error_handler(Exception, _server_error)
    return blp


def _server_error(error):
    db.session.rollback()
    return problem_response(error)


# Addresses under /api/v1 that match no route: a problem, not the HTML error page.
fallback = FlaskBlueprint("api_fallback", __name__)
fallback.after_request(unauthorized_challenge)
fallback.register_error_handler(HTTPException, problem_response)

METHODS = ["GET", "POST", "PUT", "PATCH", "DELETE"]


@fallback.route(f"{PREFIX}/", defaults={"rest": ""}, methods=[*METHODS, "OPTIONS"])
@fallback.route(f"{PREFIX}/<path:rest>", methods=[*METHODS, "OPTIONS"])
def unknown(rest):
    """405 with Allow when the address exists with other methods, else 404."""
    adapter = current_app.url_map.bind("localhost")
    allowed = []
    for method in METHODS:
        try:
            endpoint, _args = adapter.match(request.path, method=method)
        except (NotFound, MethodNotAllowed):
            continue
        except HTTPException:
            continue
        if endpoint != "api_fallback.unknown":
            allowed.append(method)
    if allowed:
        raise MethodNotAllowed(valid_methods=allowed)
    raise Problem(404, "not_found")
