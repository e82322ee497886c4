"""Responsible units (责任单位) and their successors after reorganisations."""

import enum

from flask_babel import lazy_gettext as _l
from sqlalchemy import JSON, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from tracker.extensions import db


class UnitKind(enum.StrEnum):
    PARTY_DEPT = "party_dept"
    GOV_DEPT = "gov_dept"
    INSTITUTION = "institution"
    ASSOCIATION = "association"
    VERTICAL = "vertical"
    ZONE_AGENCY = "zone_agency"

    @property
    def label(self) -> str:
        return str(UNIT_KIND_LABELS[self])


UNIT_KIND_LABELS = {
    UnitKind.PARTY_DEPT: _l("Party department"),
    UnitKind.GOV_DEPT: _l("Government department"),
    UnitKind.INSTITUTION: _l("Public institution"),
    UnitKind.ASSOCIATION: _l("Association"),
    UnitKind.VERTICAL: _l("Vertically managed agency"),
    UnitKind.ZONE_AGENCY: _l("High-tech zone agency"),
}


class Unit(db.Model):
    """A responsible unit, named as in the documents (e.g. 市发改委)."""

    __tablename__ = "unit"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(100), unique=True)
    full_name: Mapped[str | None] = mapped_column(String(200))
    code: Mapped[str] = mapped_column(String(16), unique=True)
    kind: Mapped[str] = mapped_column(String(20))
    aliases: Mapped[list[str]] = mapped_column(JSON, default=list)
    successor_id: Mapped[int | None] = mapped_column(ForeignKey("unit.id"), index=True)
    successor_note: Mapped[str | None] = mapped_column(Text)

    successor = relationship("Unit", remote_side=[id], lazy="raise_on_sql")

    @property
    def kind_label(self) -> str:
        try:
            return UnitKind(self.kind).label
        except ValueError:
            return self.kind


# The readable name of each audit action on these rows (tracker.audit_labels gathers them).
AUDIT_LABELS = {
    "unit.created": _l("Unit created"),
    "unit.updated": _l("Unit changed"),
}
