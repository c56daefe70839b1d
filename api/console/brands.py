"""Console pages for a brand's knowledge (brand owners, admins): the voice guide, the reaction
matrix and the facts, each edited in a form and saved through api/knowledge.py, versioned and
audited like the API's PUTs; the next draft uses the change. Errors are shown by the field."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, replace
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse
from pydantic import BaseModel, ValidationError

from api import knowledge
from api.console.forms import FormField, error_map, fields, merge
from api.console.web import PREFIX, ConsoleRoute, Posting, Visitor, allowed, redirect, render
from api.deps import ComponentsDep, SessionDep, check_brand
from api.errors import ConflictError, NotFoundError
from api.keys import Permission
from assistant.models import Fact
from assistant.pipeline import Components
from knowledge.store import Section

router = APIRouter(prefix=f"{PREFIX}/brands", route_class=ConsoleRoute, include_in_schema=False)
Manager = Annotated[Visitor, Depends(allowed(Permission.manage_knowledge))]
EDITABLE = (Section.voice, Section.matrix)
NEW_FACT: dict[str, Any] = {"id": "", "topic": "", "text": {"ru": "", "en": ""}}


@dataclass(frozen=True)
class Editor:
    """One form on the page: the JSON it edits and that JSON's section version; after a failed
    post, what was posted (shown instead) and the errors by field path ("" for the whole form)."""

    key: str
    source: dict[str, Any]
    version: int
    posted: dict[str, str] = field(default_factory=dict)
    errors: dict[str, str] = field(default_factory=dict)
    hidden: tuple[str, ...] = ()  # paths not offered for editing: a fact's id

    @property
    def fields(self) -> list[FormField]:
        shown = (f for f in fields(self.source) if f.path not in self.hidden)
        return [FormField(f.path, f.kind, self.posted.get(f.path, f.value)) for f in shown]


async def posted(request: Request) -> dict[str, str]:
    """The posted form's text fields (their names are the section's dotted paths)."""
    return {name: value for name, value in (await request.form()).items() if isinstance(value, str)}


Posted = Annotated[dict[str, str], Depends(posted)]
Write = Callable[[Any, int | None], object]


@router.get("", response_class=HTMLResponse)
def brands_page(request: Request, parts: ComponentsDep, visitor: Manager) -> HTMLResponse:
    return render(request, "brands.html", visitor, brands=knowledge.brands(parts, visitor.caller))


@router.get("/{brand_id}", response_class=HTMLResponse)
def brand_page(request: Request, brand_id: str, parts: ComponentsDep, visitor: Manager) -> HTMLResponse:
    check_brand(visitor.caller, brand_id)
    return _page(request, parts, visitor, brand_id)


@router.post("/{brand_id}/section/{section}")
def save_section(
    request: Request,
    brand_id: str,
    section: Section,
    db: SessionDep,
    parts: ComponentsDep,
    visitor: Manager,
    _: Posting,
    form: Posted,
) -> Any:
    """Replace the voice guide or the matrix with the form's version of it."""
    check_brand(visitor.caller, brand_id)
    if section not in EDITABLE:
        raise NotFoundError(f"the console edits {' and '.join(s.value for s in EDITABLE)}")
    current = knowledge.read_section(parts, brand_id, section)
    model = knowledge.SECTION_MODELS[section]

    def write(value: BaseModel, expected: int | None) -> object:
        return knowledge.replace_section(db, parts, visitor.caller, brand_id, section, value, expected)

    editor = Editor(section.value, current.value.model_dump(mode="json"), current.version)
    return _save(request, parts, visitor, brand_id, _validated(editor, form, model), write)


@router.post("/{brand_id}/facts")
def add_fact(
    request: Request, brand_id: str, db: SessionDep, parts: ComponentsDep, visitor: Manager, _: Posting, form: Posted
) -> Any:
    check_brand(visitor.caller, brand_id)
    editor = Editor("new-fact", NEW_FACT, knowledge.facts(parts, brand_id).version)

    def write(value: Fact, expected: int | None) -> object:
        return knowledge.add_fact(db, parts, visitor.caller, brand_id, value, expected)

    return _save(request, parts, visitor, brand_id, _validated(editor, form, Fact), write)


@router.post("/{brand_id}/facts/{fact_id}")
def save_fact(
    request: Request,
    brand_id: str,
    fact_id: str,
    db: SessionDep,
    parts: ComponentsDep,
    visitor: Manager,
    _: Posting,
    form: Posted,
) -> Any:
    """Replace one fact, or with `delete` in the form remove it."""
    check_brand(visitor.caller, brand_id)
    found = knowledge.fact(parts, brand_id, fact_id)
    if "delete" in form:
        knowledge.delete_fact(db, parts, visitor.caller, brand_id, fact_id, _expected(form))
        return redirect(f"{PREFIX}/brands/{brand_id}?saved=facts#facts")
    editor = _fact_editor(found.value, found.version)

    def write(value: Fact, expected: int | None) -> object:
        return knowledge.replace_fact(db, parts, visitor.caller, brand_id, value, expected)

    form = {**form, "id": fact_id}  # a fact keeps its id: delete it and add a new one to rename
    return _save(request, parts, visitor, brand_id, _validated(editor, form, Fact), write)


def _validated(editor: Editor, form: dict[str, str], model: type[BaseModel]) -> tuple[Any, Editor]:
    """The model made from the posted form, or None; and the editor showing what was posted,
    with each error next to its field."""
    merged, errors = merge(editor.source, form)
    if editor.key == "new-fact":  # a language left empty is no translation, not an empty one
        merged["text"] = {lang: text for lang, text in merged["text"].items() if text}
    value = None
    if not errors:
        try:
            value = model.model_validate(merged)
        except ValidationError as error:
            errors = error_map(error, [f.path for f in editor.fields])
    return value, replace(editor, posted=form, errors=errors, version=_expected(form) or editor.version)


def _save(
    request: Request, parts: Components, visitor: Visitor, brand_id: str, checked: tuple[Any, Editor], write: Write
) -> Any:
    """Write a valid edit and go back to the page (POST/redirect/GET); else the page again with
    the errors, or with the conflict if the section changed since the form was loaded."""
    value, editor = checked
    if value is None:
        return _page(request, parts, visitor, brand_id, editor, 422)
    try:
        write(value, editor.version)
    except ConflictError as error:
        return _page(request, parts, visitor, brand_id, replace(editor, errors={"": str(error)}), 409)
    anchor = editor.key if editor.key in ("voice", "matrix") else "facts"
    return redirect(f"{PREFIX}/brands/{brand_id}?saved={anchor}#{anchor}")


def _page(
    request: Request,
    parts: Components,
    visitor: Visitor,
    brand_id: str,
    failed: Editor | None = None,
    code: int = 200,
) -> HTMLResponse:
    """The brand's forms as stored; the one that failed as it was posted, with its errors."""
    editors = {e.key: e for e in _editors(parts, brand_id)}
    if failed is not None:
        editors[failed.key] = failed
    return render(
        request,
        "brand.html",
        visitor,
        code,
        brand_id=brand_id,
        editors=editors,
        saved=request.query_params.get("saved"),
    )


def _editors(parts: Components, brand_id: str) -> list[Editor]:
    sections = [(s, knowledge.read_section(parts, brand_id, s)) for s in EDITABLE]
    facts = knowledge.facts(parts, brand_id)
    return [
        *(Editor(s.value, found.value.model_dump(mode="json"), found.version) for s, found in sections),
        *(_fact_editor(fact, facts.version) for fact in facts.value),
        Editor("new-fact", NEW_FACT, facts.version),
    ]


def _fact_editor(fact: Fact, version: int) -> Editor:
    return Editor(f"fact-{fact.id}", fact.model_dump(mode="json"), version, hidden=("id",))


def _expected(form: dict[str, str]) -> int | None:
    version = form.get("version", "")
    return int(version) if version.isdigit() else None
