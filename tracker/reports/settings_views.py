"""(being written)"""

from flask import Blueprint

bp = Blueprint("settings", __name__)
