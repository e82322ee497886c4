"""Forms shared by every feature."""

from flask_wtf import FlaskForm


class ActionForm(FlaskForm):
    """A step without fields (acknowledge, assign a whole plan): only the CSRF token."""
