"""Console pages for cases, the brand report and the eval runs."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import FileResponse, HTMLResponse
from pydantic import ValidationError

from api import cases
from api.access import own_case  # the API's own check: 404 if none, 403 if not theirs
from api.console.forms import error_map, parse_date
from api.console.web import PREFIX, ConsoleRoute, Posting, Reading, Reviewing, Visitor, allowed, redirect, render
from api.deps import ApiSettingsDep, ComponentsDep, SessionDep, check_brand
from api.errors import ConflictError, NotFoundError
from api.keys import Permission
from api.routes.reports import report_page
from api.schemas import CaseStatusUpdate
from api.tables import utcnow

router = APIRouter(prefix=PREFIX, route_class=ConsoleRoute, include_in_schema=False)
EvalReader = Annotated[Visitor, Depends(allowed(Permission.read_evals))]
REPORT_DAYS = 28


@router.get("/cases", response_class=HTMLResponse)
def cases_page(request: Request, db: SessionDep, visitor: Reading) -> HTMLResponse:
    return _cases(request, db, visitor)


@router.post("/cases/{reference}/status")
def move_case(
    request: Request,
    reference: str,
    db: SessionDep,
    parts: ComponentsDep,
    visitor: Reviewing,
    _: Posting,
    status: Annotated[str, Form()],
    note: Annotated[str, Form()] = "",
) -> Any:
    """Resolve (with a note of what was done), wait for the customer, or reopen a case."""
    case = own_case(db, visitor.caller, reference)
    try:
        update = CaseStatusUpdate(status=status, note=note.strip() or None)  # type: ignore[arg-type]
    except ValidationError as error:
        return _cases(request, db, visitor, {reference: "; ".join(error_map(error, ["note"]).values())}, 422)
    try:
        cases.change_status(db, parts, case, visitor.caller, update.status, update.note)
    except ConflictError as error:
        return _cases(request, db, visitor, {reference: str(error)}, 409)
    return redirect(f"{PREFIX}/cases")


def _cases(
    request: Request, db: Any, visitor: Visitor, errors: dict[str, str] | None = None, code: int = 200
) -> HTMLResponse:
    """Open and waiting cases, soonest due first (or only the overdue ones), each with its moves."""
    overdue = request.query_params.get("overdue") == "true"
    rows = cases.list_cases(db, visitor.caller, None, None, overdue)
    found = [cases.case_public(row) for row in rows]
    moves = {c.reference: sorted(cases.TRANSITIONS[c.status]) for c in found}
    return render(request, "cases.html", visitor, code, cases=found, moves=moves, overdue=overdue, errors=errors or {})


@router.get("/report", response_class=HTMLResponse)
def brand_report(request: Request, brand: str, db: SessionDep, parts: ComponentsDep, visitor: Reading) -> HTMLResponse:
    """`?brand=&from=&to=`: the brand's report (the API's GET /reports/{brand}.html) for the
    signed-in visitor; the last four weeks by default."""
    check_brand(visitor.caller, brand)
    end = parse_date(request.query_params.get("to")) or utcnow().date()
    start = parse_date(request.query_params.get("from")) or end - timedelta(days=REPORT_DAYS - 1)
    return report_page(brand, db, parts, start, end)


@dataclass(frozen=True)
class EvalRun:
    name: str
    meta: dict[str, Any]
    summary: dict[str, Any]
    has_report: bool


@router.get("/evals", response_class=HTMLResponse)
def evals_page(request: Request, visitor: EvalReader, limits: ApiSettingsDep) -> HTMLResponse:
    """The eval runs (`otklik eval --out DIR`) under OTKLIK_EVAL_RUNS_DIR, newest first."""
    root = limits.eval_runs_dir
    return render(request, "evals.html", visitor, runs=eval_runs(root), root=str(root))


@router.get("/evals/{name}/report.html")
def eval_report(name: str, visitor: EvalReader, limits: ApiSettingsDep) -> FileResponse:
    """One run's HTML report: only a run directory directly under the runs directory."""
    return FileResponse(_run_dir(limits.eval_runs_dir, name) / "report.html", media_type="text/html")


def eval_runs(root: Path) -> list[EvalRun]:
    """Each directory in `root` (and `root` itself) holding a readable results.json."""
    candidates = [root, *sorted(p for p in root.iterdir() if p.is_dir())] if root.is_dir() else []
    runs = [run for path in candidates if (run := _read_run(root, path)) is not None]
    return sorted(runs, key=lambda run: str(run.meta.get("finished", "")), reverse=True)


def _read_run(root: Path, path: Path) -> EvalRun | None:
    try:
        results = json.loads((path / "results.json").read_text(encoding="utf-8"))
        meta, summary = dict(results["meta"]), dict(results["summary"])
    except (OSError, ValueError, KeyError, TypeError):
        return None
    name = "." if path == root else path.name
    return EvalRun(name, meta, summary, (path / "report.html").is_file())


def _run_dir(root: Path, name: str) -> Path:
    """The run directory called `name`: a plain name (or "." for the root), never a path out of it."""
    resolved_root = root.resolve()
    path = (resolved_root / name).resolve()  # follows "..", and symlinks, to where they really lead
    inside = path == resolved_root if name == "." else path.parent == resolved_root and path.name == name
    if not inside or not (path / "report.html").is_file():
        raise NotFoundError(f"no eval run {name!r}")
    return path
