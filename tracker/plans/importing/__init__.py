"""Importing a policy document: read the file, propose plans, sections and tasks.

`read_document` turns a file into text; `propose` turns text into a `Proposal` the office
reviews.  Both are pure: no Flask, no database, no clock.
"""

from .errors import MESSAGES, ImportRefused
from .model import Proposal, ProposedPlan, ProposedSection, ProposedTask
from .parser import propose
from .readers import read_document
from .units import KnownUnit

__all__ = [
    "MESSAGES",
    "ImportRefused",
    "KnownUnit",
    "Proposal",
    "ProposedPlan",
    "ProposedSection",
    "ProposedTask",
    "propose",
    "read_document",
]
