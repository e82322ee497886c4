"""Errors as RFC 9457 problem details (application/problem+json), in the caller's language.

Every refusal of the API is `Problem(status, key, **params)`; its `title` and `detail` come
from the catalogue below, translated for the request's Accept-Language (zh_CN by default,
en on request). `type` is a stable URI naming the problem (`/api/v1/problems/<key>`)."""

from flask import current_app, g, request
from flask_babel import force_locale
from flask_babel import lazy_gettext as _l
from werkzeug.exceptions import HTTPException

PROBLEM_TYPE = "application/problem+json"

# key -> (title, detail)
CATALOGUE = {
    "unauthorized": (
        _l("Authentication required"),
        _l("Send an API token: Authorization: Bearer <token>."),
    ),
    "token_invalid": (
        _l("Authentication required"),
        _l("This API token is not valid, or it has been revoked."),
    ),
    "read_only": (
        _l("Not allowed"),
        _l("This API token is read-only: create a read/write token to make changes."),
    ),
    "forbidden": (_l("Not allowed"), _l("Your role does not allow this action.")),
    "not_found": (_l("Not found"), _l("There is no such resource, or you may not see it.")),
    "method_not_allowed": (
        _l("Method not allowed"),
        _l("This address does not accept %(method)s."),
    ),
    "bad_request": (_l("Bad request"), _l("The request could not be read.")),
    "invalid": (_l("Invalid input"), _l("Some fields are missing or wrong: see `errors`.")),
    "bad_cursor": (
        _l("No such page"),
        _l("The cursor does not name a page of this list in this sort order."),
    ),
    "precondition_required": (
        _l("Version required"),
        _l("Send the report's ETag in an If-Match header, so no one else's change is lost."),
    ),
    "precondition_failed": (
        _l("Changed meanwhile"),
        _l("Someone else changed this report since you read it: read it again, then retry."),
    ),
    "conflict": (_l("Conflict"), None),  # the detail is the service's own message
    "report_exists": (
        _l("Conflict"),
        _l("Your unit already has a report on this task for this period: change it with PUT."),
    ),
    "refused": (_l("Step refused"), None),
    "rate_limited": (
        _l("Too many requests"),
        _l("This token sent too many requests: wait %(seconds)s seconds."),
    ),
    "unsupported_media_type": (
        _l("Unsupported media type"),
        _l("Send the body as application/json."),
    ),
    "server_error": (_l("Server error"), _l("Something went wrong on our side; it was logged.")),
}

STATUS_KEYS = {
    400: "bad_request",
    401: "unauthorized",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    409: "conflict",
    412: "precondition_failed",
    415: "unsupported_media_type",
    422: "invalid",
    428: "precondition_required",
    429: "rate_limited",
    500: "server_error",
}


class Problem(HTTPException):
    """An API refusal: raise it anywhere in an API view."""

    def __init__(self, status: int, key: str, errors: dict | None = None, **params):
        super().__init__()
        self.code = status
        self.key = key
        self.errors = errors
        self.params = params
        self.headers: dict[str, str] = {}


def api_locale() -> str:
    """zh_CN unless the caller's Accept-Language prefers English."""
    best = request.accept_languages.best_match(["zh-CN", "zh", "en"], default="zh-CN")
    return "en" if best == "en" else "zh_CN"


def _text(value, params: dict) -> str:
    text = str(value)
    return text % params if params else text.replace("%%", "%")


def problem_body(status: int, key: str, params: dict, errors=None) -> dict:
    title, detail = CATALOGUE.get(key, CATALOGUE[STATUS_KEYS.get(status, "bad_request")])
    with force_locale(api_locale()):
        body = {
            "type": f"/api/v1/problems/{key}",
            "title": _text(title, {}),
            "status": status,
            "detail": _text(detail, {k: str(v) for k, v in params.items()})
            if detail is not None
            else str(params.get("message", "")),
            "instance": request.path,
        }
    if errors:
        body["errors"] = errors
    return body


def problem_response(error: Exception):
    """The response for any error raised in an API view (the blueprint's error handler)."""
    if isinstance(error, Problem):
        status, key, params, errors = error.code, error.key, error.params, error.errors
        headers = error.headers
    elif isinstance(error, HTTPException):
        status = error.code or 500
        key = STATUS_KEYS.get(status, "bad_request")
        params = {"method": request.method} if status == 405 else {}
        data = getattr(error, "data", None) or {}
        errors = data.get("messages") if status == 422 else None
        headers = {}
        if status == 405 and getattr(error, "valid_methods", None):
            headers["Allow"] = ", ".join(error.valid_methods)
        if status == 422 and errors is None:
            key = "bad_request"
        if status == 400 and data.get("messages"):
            status, key, errors = 422, "invalid", data["messages"]
    else:
        current_app.logger.exception("API error on %s", request.path)
        status, key, params, errors, headers = 500, "server_error", {}, None, {}
    if status == 422 and errors:
        errors = _flatten(errors)
    response = current_app.response_class(
        current_app.json.dumps(problem_body(status, key, params, errors)),
        status=status,
        mimetype=PROBLEM_TYPE,
    )
    response.headers.update(headers)
    response.headers["Content-Language"] = "en" if api_locale() == "en" else "zh-CN"
    g.api_problem = True
    return response


def _flatten(errors) -> dict:
    """webargs' {location: {field: [messages]}} as {field: [messages]} (strings only)."""
    flat = {}
    if isinstance(errors, dict):
        for location, fields in errors.items():
            if isinstance(fields, dict):
                for field, messages in fields.items():
                    flat[str(field)] = [str(m) for m in _as_list(messages)]
            else:
                flat[str(location)] = [str(m) for m in _as_list(fields)]
    return flat


def _as_list(value) -> list:
    if isinstance(value, list):
        return [v if isinstance(v, str) else str(v) for v in value]
    if isinstance(value, dict):
        return [f"{k}: {v}" for k, v in value.items()]
    return [str(value)]
