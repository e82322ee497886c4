"""Import a policy document (blueprint "document_import", issue 11): upload or paste, check
and correct the proposal beside the document, confirm.

Who: the office only; the admin, leaders and liaisons get 403. A draft belongs to the user
who uploaded it: anyone else's token is "not found". Every POST checks its CSRF token. Edits
are kept in the draft on the server (never in the cookie); confirm writes everything in one
transaction or nothing.
"""

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import TextAreaField
from wtforms.validators import Length, Optional

from tracker.accounts.models import Role
from tracker.accounts.permissions import role_required
from tracker.common.errors import StepRefused
from tracker.common.forms import ActionForm
from tracker.extensions import db
from tracker.plans import document_import
from tracker.plans.document_import import CREATE, DocumentImportRefused
from tracker.plans.excel_import import unit_menu
from tracker.plans.importing import ImportRefused, read_document
from tracker.plans.importing import draft as drafts
from tracker.timeutil import today

bp = Blueprint("document_import", __name__, url_prefix="/plans/documents/import")
office_only = role_required(Role.OFFICE)
MAX_TEXT = 400_000

# the reader's reasons (tracker.plans.importing.errors), in the user's language
READER_MESSAGES = {
    "empty": _l("The file is empty."),
    "too_large": _l("The file is too large to import."),
    "unreadable_encoding": _l("The text file is neither UTF-8 nor GB18030 text."),
    "unsupported_type": _l("This kind of file cannot be imported. Use .txt, .docx, .pdf or .ofd."),
    "save_as_docx": _l(
        "Old Word (.doc) and WPS (.wps) files cannot be read. "
        "Open the file and save it as .docx or PDF, then import that."
    ),
    "bad_docx": _l("The .docx file could not be opened. Save it again as .docx or PDF."),
    "bad_pdf": _l("The PDF file could not be opened."),
    "pdf_no_text": _l(
        "The PDF has no text layer (it is a scan). Import the Word version, "
        "or a PDF exported from Word."
    ),
    "bad_ofd": _l("The OFD file could not be opened. Save it as PDF or .docx."),
    "ofd_no_text": _l("No text was found in the OFD file. Save it as PDF or .docx."),
}
MESSAGES = {
    "no_input": _l("Choose a file, or paste the document's text."),
    "no_lead": _l(
        "Task %(where)s has no lead unit. Give every task a lead unit (select tasks and "
        "assign them in bulk) before confirming."
    ),
    "no_title": _l("Give every plan a title."),
    "no_tasks": _l("The plan “%(where)s” has no tasks."),
    "units_unresolved": _l("Choose a unit, or “create unit”, for every new unit name."),
    "bad_date": _l("A date is not valid (write it as YYYY-MM-DD); it was not changed."),
    "merge_needs_two": _l("Select at least two tasks of the same plan to merge."),
    "select_one": _l("Select one task to split."),
    "cannot_split": _l("This task is a single sentence: edit its title instead of splitting it."),
    "select_some": _l("Select the tasks first."),
    "no_unit": _l("Enter the lead unit to assign."),
}
ACTIONS = ("save", "merge", "split", "drop", "assign", "create_units", "confirm")


class DocumentForm(FlaskForm):
    file = FileField(_l("Document (.docx, .pdf, .ofd or .txt)"))
    text = TextAreaField(_l("…or paste the text"), validators=[Optional(), Length(max=MAX_TEXT)])


def message(key: str, where: str = "") -> str:
    text = MESSAGES.get(key) or READER_MESSAGES.get(key)
    return str(text) % {"where": where} if text is not None else key


@bp.route("", methods=["GET", "POST"])
@office_only
def upload():
    """Upload a file or paste text; the proposal is kept and previewed."""
    form = DocumentForm()
    if form.validate_on_submit():
        file = request.files.get("file")
        pasted = (form.text.data or "").strip()
        try:
            if file is not None and file.filename:
                limit = current_app.config.get("TRACKER_UPLOAD_MAX_BYTES", 20 << 20)
                data = file.stream.read(limit + 1)
                if len(data) > limit:
                    raise ImportRefused("too_large")
                filename, text = file.filename, read_document(file.filename, data)
                original = _kept_bytes(filename, data, text)
            elif pasted:
                filename, text, original = "", pasted, None
            else:
                raise ImportRefused("no_input")
        except ImportRefused as refused:
            form.file.errors = [*list(form.file.errors or []), message(refused.key)]
        else:
            draft = document_import.new_draft(text)
            kept = document_import.keep(current_user.id, filename, original, draft)
            return redirect(url_for(".preview", token=kept.token))
    status = 400 if request.method == "POST" else 200
    return render_template("imports/document_upload.html", form=form), status


def _kept_bytes(filename: str, data: bytes, text: str) -> bytes:
    """A .txt in GB18030 is kept as UTF-8 (plan originals are UTF-8 text)."""
    if filename.lower().endswith(".txt"):
        try:
            data.decode("utf-8")
        except UnicodeDecodeError:
            return text.encode("utf-8")
    return data


def _own(token: str) -> document_import.Kept:
    kept = document_import.load(token, current_user.id)
    if kept is None:
        abort(404)
    return kept


@bp.route("/<token>")
@office_only
def preview(token: str):
    kept = _own(token)
    draft = kept.draft
    plans = []
    for plan in draft["plans"]:
        existing = document_import.existing_plan(plan.get("doc_number"), plan.get("title"))
        found = document_import.plan_diff(draft, plan, existing)[0] if existing else None
        numbers = {t["key"]: i for i, t in enumerate(plan["tasks"], start=1)}
        plans.append({"plan": plan, "existing": existing, "diff": found, "numbers": numbers})
    spans = [(t["key"], *t["span"]) for p in draft["plans"] for t in p["tasks"]]
    menu = unit_menu()
    return render_template(
        "imports/document_preview.html",
        kept=kept,
        draft=draft,
        plans=plans,
        pieces=drafts.segments(draft["text"], spans),
        problems=[message(k, w) for k, w in drafts.problems(draft)],
        new_units=document_import.new_unit_names(draft),
        units=menu,
        unit_names=sorted({u.name for u in menu} | set(draft["units"])),
        form=ActionForm(),
        CREATE=CREATE,
        current_name=document_import.current_name,
    )


def _edits(draft: dict) -> tuple[list[dict], dict[str, dict]]:
    """The preview's fields, as apply_edits takes them."""
    form = request.form
    plan_edits = []
    for i, plan in enumerate(draft["plans"]):
        edit = {n: form[f"p-{i}-{n}"] for n in ("title", "doc_number", "issuer", "issued_on")
                if f"p-{i}-{n}" in form}  # fmt: skip
        edit["sections"] = {s["key"]: form.get(f"s-{s['key']}-title") for s in plan["sections"]}
        plan_edits.append(edit)
    task_edits = {}
    for plan in draft["plans"]:
        for t in plan["tasks"]:
            prefix = f"t-{t['key']}-"
            edit = {n: form[prefix + n] for n in
                    ("title", "lead", "co", "due", "phrase", "section", "number")
                    if prefix + n in form}  # fmt: skip
            if edit:
                task_edits[t["key"]] = edit
    return plan_edits, task_edits


@bp.route("/<token>", methods=["POST"])
@office_only
def change(token: str):
    """Apply the fields, then the chosen step; confirm writes everything or nothing."""
    kept = _own(token)
    if not ActionForm().validate_on_submit():
        abort(400)
    action = request.form.get("action", "save")
    if action not in ACTIONS:
        abort(400)
    draft = kept.draft
    for key, where in drafts.apply_edits(draft, *_edits(draft)):
        flash(message(key, where), "error")
    document_import.learn_units(draft)
    for i, name in enumerate(document_import.new_unit_names(draft)):
        if request.form.get(f"u-name-{i}") == name:
            document_import.choose_unit(draft, name, request.form.get(f"u-{i}", ""))
    selected = request.form.getlist("selected")
    problem = _step(draft, action, selected)
    if problem:
        flash(message(problem), "error")
    document_import.learn_units(draft)
    document_import.save(kept)
    if action == "confirm" and not problem:
        return _confirm(kept)
    return redirect(url_for(".preview", token=token))


def _step(draft: dict, action: str, selected: list[str]) -> str | None:
    if action in ("merge", "drop", "assign") and not selected:
        return "select_some"
    if action == "merge":
        return drafts.merge(draft, selected)
    if action == "split":
        return (
            drafts.split(draft, selected[0], draft["text"]) if len(selected) == 1 else "select_one"
        )
    if action == "drop":
        drafts.drop(draft, selected)
    if action == "assign":
        lead = request.form.get("bulk_lead", "")
        if not drafts.split_units(lead):
            return "no_unit"
        drafts.assign(draft, selected, lead, request.form.get("bulk_co", ""))
    if action == "create_units":
        document_import.learn_units(draft)
        for name in document_import.new_unit_names(draft):
            if not draft["choices"].get(name):
                draft["choices"][name] = CREATE
    return None


def _confirm(kept: document_import.Kept):
    try:
        done = document_import.confirm(
            kept.draft,
            current_user,
            today=today(),
            original=document_import.original_of(kept),
            filename=kept.filename or None,
        )
    except DocumentImportRefused as refused:
        db.session.rollback()
        flash(message(refused.key, refused.where), "error")
        return redirect(url_for(".preview", token=kept.token))
    except StepRefused as refused:
        db.session.rollback()
        flash(refused.message, "error")
        return redirect(url_for(".preview", token=kept.token))
    db.session.commit()
    document_import.discard(kept.token)
    tasks = sum(len(p["tasks"]) for p in kept.draft["plans"])
    flash(_("Imported %(n)s tasks. Assign them to their units when ready.", n=tasks), "success")
    return redirect(url_for("plans.plan_detail", plan_id=done[0][0].id))


@bp.route("/<token>/discard", methods=["POST"])
@office_only
def discard(token: str):
    kept = _own(token)
    if not ActionForm().validate_on_submit():
        abort(400)
    document_import.discard(kept.token)
    flash(_("The document was discarded; nothing was imported."), "info")
    return redirect(url_for(".upload"))
