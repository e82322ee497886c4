"""The API's machinery: the flask-smorest Api (OpenAPI 3.1, problem responses), opaque
cursors for keyset pagination, ETags on reads and the If-Match version check on writes."""

import base64
import hashlib
import http
import json
from datetime import date

from apispec.ext.marshmallow import MarshmallowPlugin
from flask import current_app, request
from flask_smorest import Api
from flask_smorest.utils import prepare_response
from marshmallow import Schema, fields, validate
from sqlalchemy import and_, or_

from tracker.api.problems import PROBLEM_TYPE, Problem

MAX_LIMIT = 100


class ProblemSchema(Schema):
    """RFC 9457 problem details."""

    type = fields.String(required=True)
    title = fields.String(required=True)
    status = fields.Integer(required=True)
    detail = fields.String(required=True)
    instance = fields.String(required=True)
    errors = fields.Dict(
        keys=fields.String(),
        values=fields.List(fields.String()),
        metadata={"description": "per field"},
    )


class TrackerApi(Api):
    """flask-smorest's Api, with errors documented as application/problem+json and no
    app-wide error handler (the HTML pages keep theirs; the API blueprints have their own)."""

    ERROR_SCHEMA = ProblemSchema

    def _register_error_handlers(self):
        pass

    def _register_responses(self):
        for status in http.HTTPStatus:
            response = {"description": status.phrase}
            if not (100 <= status < 200) and status not in (204, 304):
                response["schema"] = self.ERROR_SCHEMA
            prepare_response(response, self.spec, PROBLEM_TYPE)
            self.spec.components.response(status.name, response, lazy=True)
        response = {"description": "Problem details (RFC 9457)", "schema": self.ERROR_SCHEMA}
        prepare_response(response, self.spec, PROBLEM_TYPE)
        self.spec.components.response("DEFAULT_ERROR", response, lazy=True)


def make_api() -> TrackerApi:
    return TrackerApi(
        spec_kwargs={
            "marshmallow_plugin": MarshmallowPlugin(),
            "info": {
                "description": "督查督办 API: plans, tasks, progress reports, supervision and "
                "scorecards. Authenticate with a token: `Authorization: Bearer trk_…`.",
            },
            "components": {"securitySchemes": {"token": {"type": "http", "scheme": "bearer"}}},
            "security": [{"token": []}],
        }
    )


API_CONFIG = {
    "API_TITLE": "Tracker API",
    "API_VERSION": "v1",
    "OPENAPI_VERSION": "3.1.0",
    "OPENAPI_URL_PREFIX": "/api/v1",
    "OPENAPI_JSON_PATH": "openapi.json",
    "OPENAPI_SWAGGER_UI_PATH": "docs",
    "OPENAPI_SWAGGER_UI_URL": "/static/vendor/swagger-ui/5.35.0/",
}


# ---------------------------------------------------------------- lists


class ListArgs(Schema):
    """The query of every list: a page size and the cursor of the next page."""

    limit = fields.Integer(load_default=50, validate=validate.Range(1, MAX_LIMIT))
    cursor = fields.String(validate=validate.Length(max=500))


def encode_cursor(sort: str, value, row_id: int) -> str:
    if isinstance(value, date):
        value = value.isoformat()
    raw = json.dumps({"s": sort, "v": value, "i": row_id}, separators=(",", ":"))
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


def decode_cursor(cursor: str, sort: str) -> tuple:
    """(value, id) of a cursor made for `sort`; a cursor for another sort, or garbage, is
    refused: 404, no such page (a problem, as for any unknown address)."""
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        data = json.loads(raw)
        if data["s"] != sort or not isinstance(data["i"], int):
            raise ValueError
        value = data["v"]
        if value is not None and not isinstance(value, str | int):
            raise ValueError
        return value, data["i"]
    except (ValueError, KeyError, TypeError, UnicodeDecodeError) as exc:
        raise Problem(404, "bad_cursor") from exc


def keyset(query, sort: str, columns: dict, id_column, args: dict, convert=None):
    """Order `query` by `sort` ("field" or "-field", from `columns`) then id, after the
    cursor's row. Returns (query limited to limit + 1, the key function for the next cursor)."""
    descending = sort.startswith("-")
    name = sort.lstrip("-")
    column = columns[name]
    if args.get("cursor"):
        value, last_id = decode_cursor(args["cursor"], sort)
        if convert and value is not None:
            try:
                value = convert(value)
            except (ValueError, TypeError) as exc:
                raise Problem(404, "bad_cursor") from exc
        if column is id_column:
            query = query.where(id_column < last_id if descending else id_column > last_id)
        elif descending:
            query = query.where(or_(column < value, and_(column == value, id_column < last_id)))
        else:
            query = query.where(or_(column > value, and_(column == value, id_column > last_id)))
    order = (column.desc(), id_column.desc()) if descending else (column.asc(), id_column.asc())
    return query.order_by(*order).limit(args["limit"] + 1)


def page(items: list, sort: str, key, limit: int) -> dict:
    """The list envelope: the items and the cursor of the next page (null on the last)."""
    more = len(items) > limit
    items = items[:limit]
    cursor = encode_cursor(sort, key(items[-1]), items[-1].id) if more and items else None
    return {"items": items, "next_cursor": cursor}


# ---------------------------------------------------------------- ETags


def etag_of(body: bytes) -> str:
    return '"' + hashlib.sha256(body).hexdigest()[:32] + '"'


def with_etag(response):
    """after_request of the API: a GET answered 200 gets an ETag of its body; a matching
    If-None-Match turns it into 304 Not Modified (no body)."""
    if request.method != "GET" or response.status_code != 200 or response.direct_passthrough:
        return response
    if not response.mimetype == "application/json":
        return response
    if "ETag" not in response.headers:
        response.headers["ETag"] = etag_of(response.get_data())
    tag = response.headers["ETag"]
    wanted = request.headers.get("If-None-Match")
    if wanted and (wanted.strip() == "*" or tag in [t.strip() for t in wanted.split(",")]):
        response.status_code = 304
        response.set_data(b"")
        response.headers.pop("Content-Type", None)
        response.headers.pop("Content-Length", None)
    return response


def report_etag(report) -> str:
    """A report's ETag is its version: the If-Match check is the forms' version check."""
    return f'"report-{report.id}-v{report.version}"'


def required_version(report) -> int:
    """The version an If-Match header names for this report: 428 without one, 412 if it is
    another version (someone saved meanwhile)."""
    header = request.headers.get("If-Match")
    if not header:
        raise Problem(428, "precondition_required")
    tags = [t.strip() for t in header.split(",")]
    if report_etag(report) not in tags and "*" not in tags:
        raise Problem(412, "precondition_failed")
    return report.version


def json_body() -> dict:
    body = request.get_json(silent=True)
    if not isinstance(body, dict):
        raise Problem(
            415 if not request.is_json else 400,
            "unsupported_media_type" if not request.is_json else "bad_request",
        )
    return body


def app_json_dumps(value) -> str:
    return current_app.json.dumps(value)
