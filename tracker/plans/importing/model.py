"""The proposal: plain dataclasses the office reviews before anything is saved."""

from dataclasses import dataclass, field
from datetime import date

from .units import UnitProposal


@dataclass
class ProposedMilestone:
    """A dated step of a measure (节点): "到2021年底，建成…" (dates.find_steps)."""

    due_date: date
    phrase: str
    deliverable: str


@dataclass
class ProposedTask:
    """One numbered item of a plan, as the document gives it."""

    number: int  # 1, 2, … in document order across the plan (the task's number in the app)
    label: str  # the document's own number: "6", "(一)", "第三条", "举措2"
    path: str  # where it sits: "二(一)1", "三、第一部分 举措1"
    title: str
    text: str
    lead_unit: str | None
    co_units: list[str]
    lead_unit_provisional: bool = False  # True when the document names no unit for it
    lead_unit_basis: str | None = None  # why a unit leads when the document names none
    due_date: date | None = None
    due_phrase: str | None = None
    span: tuple[int, int] = (0, 0)  # offsets into Proposal.text
    units_written: list[str] = field(default_factory=list)  # names exactly as written
    milestones: list[ProposedMilestone] = field(default_factory=list)  # its yearly steps


@dataclass
class ProposedSection:
    """A chapter that holds tasks: "(一)“双创”载体升级发展工程", "第一部分 …"."""

    number: int
    label: str
    title: str | None
    path: str
    tasks: list[ProposedTask] = field(default_factory=list)
    span: tuple[int, int] = (0, 0)


@dataclass
class ProposedPhase:
    year: int
    phrase: str
    due_date: date


@dataclass
class ProposedPlan:
    doc_number: str | None
    title: str | None
    issuer: str | None
    issued_on: date | None
    horizon: date | None = None
    horizon_phrase: str | None = None
    phases: list[ProposedPhase] = field(default_factory=list)
    sections: list[ProposedSection] = field(default_factory=list)
    span: tuple[int, int] = (0, 0)

    @property
    def tasks(self) -> list[ProposedTask]:
        return [t for s in self.sections for t in s.tasks]


@dataclass
class Proposal:
    """What the parser proposes for one file: one plan per document it carries."""

    text: str  # the normalised text every span points into
    plans: list[ProposedPlan] = field(default_factory=list)
    units: list[UnitProposal] = field(default_factory=list)  # every unit named, in order
    warnings: list[str] = field(default_factory=list)

    def as_json(self) -> dict:
        """The shape of `flask --app wsgi export json`, plus what only a proposal has
        (due phrase, span, the basis of a provisional lead)."""
        return {
            "plans": [
                {
                    "doc_number": p.doc_number,
                    "title": p.title,
                    "issuer": p.issuer,
                    "issued_on": _iso(p.issued_on),
                    "horizon": _iso(p.horizon),
                    "phases": [
                        {"year": ph.year, "phrase": ph.phrase, "due_date": _iso(ph.due_date)}
                        for ph in p.phases
                    ],
                    "sections": [
                        {
                            "number": s.number,
                            "label": s.label,
                            "title": s.title,
                            "tasks": [_task_json(t) for t in s.tasks],
                        }
                        for s in p.sections
                    ],
                }
                for p in self.plans
            ],
            "units": [
                {"name": u.name, "known": u.known, "via": u.via, "successor": u.successor}
                for u in self.units
            ],
        }


def _iso(d: date | None) -> str | None:
    return d.isoformat() if d else None


def _task_json(t: ProposedTask) -> dict:
    out = {
        "number": t.number,
        "title": t.title,
        "text": t.text,
        "lead_unit": t.lead_unit,
        "co_units": list(t.co_units),
        "due_date": _iso(t.due_date),
        "due_phrase": t.due_phrase,
        "source_ref": t.path,
        "span": [t.span[0], t.span[1]],
    }
    if t.lead_unit_provisional:
        out["lead_unit_provisional"] = True
        out["lead_unit_basis"] = t.lead_unit_basis
    if t.milestones:
        out["milestones"] = [
            {"due_date": _iso(m.due_date), "phrase": m.phrase, "deliverable": m.deliverable}
            for m in t.milestones
        ]
    return out
