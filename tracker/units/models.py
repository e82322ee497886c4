"""Responsible units (责任单位), their categories (分类考核) and their successors after
reorganisations (机构改革): each change is a Reorganisation (effective date, document) with one
Succession row per (old unit, successor); a row without a successor is "to confirm"."""

import enum
from datetime import date

from flask_babel import lazy_gettext as _l
from sqlalchemy import JSON, Boolean, Date, ForeignKey, Integer, String, Text, UniqueConstraint
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


class UnitCategory(db.Model):
    """A category units are ranked within (分类考核): 市直部门, 县区, 开发区 …

    The admin edits them."""

    __tablename__ = "unit_category"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(50), unique=True)
    position: Mapped[int] = mapped_column(Integer, default=0)


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

    # The category a unit is ranked within; None: ranked overall only.
    category_id: Mapped[int | None] = mapped_column(ForeignKey("unit_category.id"), index=True)

    # The "main successor": the one unit the rules in units/rules.py follow (open work that was
    # not routed answers to it). Set from the reorganisation records (docs/reorganisations.md).
    successor = relationship("Unit", remote_side=[id], lazy="raise_on_sql")
    category = relationship("UnitCategory", lazy="raise_on_sql")
    successions = relationship(
        "Succession",
        foreign_keys="Succession.unit_id",
        lazy="raise_on_sql",
        order_by="Succession.id",
        viewonly=True,
    )

    @property
    def kind_label(self) -> str:
        try:
            return UnitKind(self.kind).label
        except ValueError:
            return self.kind


class Reorganisation(db.Model):
    """One reorganisation (e.g. 2019年长治市市级党政机构改革): its effective date and document."""

    __tablename__ = "reorganisation"

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(200), unique=True)
    doc_number: Mapped[str | None] = mapped_column(String(100))
    # None: the date is not in the record yet (shown as "date to confirm").
    effective_on: Mapped[date | None] = mapped_column(Date)
    note: Mapped[str | None] = mapped_column(Text)

    successions = relationship(
        "Succession",
        back_populates="reorganisation",
        lazy="raise_on_sql",
        order_by="Succession.id",
        cascade="all, delete-orphan",
    )


class Succession(db.Model):
    """In one reorganisation, an old unit and one of its successors, with the duties that went
    to it (a split has several rows for one unit). No successor: the record leaves it open and
    the office must confirm it (待确认)."""

    __tablename__ = "unit_succession"
    __table_args__ = (UniqueConstraint("reorganisation_id", "unit_id", "successor_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    reorganisation_id: Mapped[int] = mapped_column(ForeignKey("reorganisation.id"), index=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("unit.id"), index=True)
    successor_id: Mapped[int | None] = mapped_column(ForeignKey("unit.id"), index=True)
    duties: Mapped[str | None] = mapped_column(String(200))
    is_main: Mapped[bool] = mapped_column(Boolean, default=False)

    reorganisation = relationship(
        "Reorganisation", back_populates="successions", lazy="raise_on_sql"
    )
    unit = relationship("Unit", foreign_keys=[unit_id], lazy="raise_on_sql")
    successor = relationship("Unit", foreign_keys=[successor_id], lazy="raise_on_sql")

    @property
    def to_confirm(self) -> bool:
        return self.successor_id is None


# The readable name of each audit action on these rows (tracker.audit_labels gathers them).
AUDIT_LABELS = {
    "unit.created": _l("Unit created"),
    "unit.updated": _l("Unit changed"),
    "unit.category_saved": _l("Unit category saved"),
    "reorganisation.recorded": _l("Reorganisation recorded"),
    "reorganisation.confirmed": _l("Successor confirmed"),
}
