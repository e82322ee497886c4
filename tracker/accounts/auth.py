"""Flask-Login wiring: how a session cookie becomes a user."""

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from tracker.accounts.models import User
from tracker.extensions import db, login_manager

login_manager.login_view = "accounts.login"
login_manager.login_message = _l("Please sign in first.")
login_manager.login_message_category = "info"
# The cookie already carries a per-user nonce; "basic" keeps the session bound to it.
login_manager.session_protection = "basic"


@login_manager.user_loader
def load_user(session_id: str) -> User | None:
    """Session ids are "<user id>.<nonce>"; a changed nonce ends old sessions."""
    user_id, _, nonce = session_id.partition(".")
    if not user_id.isdecimal() or not nonce:
        return None
    user = db.session.scalar(select(User).where(User.id == int(user_id)))
    if user is None or user.session_nonce != nonce or not user.active:
        return None
    return user
