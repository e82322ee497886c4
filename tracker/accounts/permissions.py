"""Who may see and do what. Every view asks here; nothing is decided in templates.

Rules:
- admin manages users and units and sees everything read-only;
- office and leader see every plan and task;
- a liaison sees only the tasks where its unit, or a unit its unit succeeded in a
  reorganisation, is the lead unit or a co-unit.
"""

from functools import wraps

from flask import abort, has_request_context, request
from flask_login import current_user, login_required

from tracker.accounts.models import Role, User
from tracker.units.rules import predecessor_closure
from tracker.units.services import successor_map


def role_required(*roles: Role):
    """View decorator: signed in and holding one of the roles, else 403."""

    def decorator(view):
        @wraps(view)
        @login_required
        def wrapped(*args, **kwargs):
            if not current_user.has_role(*roles):
                abort(403)
            return view(*args, **kwargs)

        return wrapped

    return decorator


def unit_scope(user: User) -> set[int] | None:
    """Unit ids whose tasks the user may see; None means all (office, leader, admin)."""
    if not user.has_role(Role.LIAISON):
        return None
    if user.unit_id is None:
        return set()
    return predecessor_closure(user.unit_id, request_successor_map())


def request_successor_map() -> dict[int, int | None]:
    """Every unit's successor, read once a request (kept on the request itself, so a test's
    long-lived app context never sees an old answer); outside a request, every time. The
    liaison's task page asked for the scope three times (can_view_task, the history, the
    reports), 2,000 units each (issue 13)."""
    if not has_request_context():
        return successor_map()
    memo = request.__dict__
    if "_tracker_successor_map" not in memo:
        memo["_tracker_successor_map"] = successor_map()
    return memo["_tracker_successor_map"]


def current_scope() -> set[int] | None:
    return unit_scope(current_user)
