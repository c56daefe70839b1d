"""Reports: a brand's mentions, replies and cases over a period, as JSON or as a self-contained
HTML page. What each figure means: api/reports.py and docs/reports.md."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Literal

from fastapi import APIRouter, Depends, HTTPException, Query, status
from fastapi.responses import HTMLResponse, Response
from sqlalchemy.orm import Session

from api.chain import CHAIN
from api.deps import ComponentsDep, Reader, SessionDep, check_brand
from api.errors import NotFoundError
from api.report_render import html
from api.reports import PeriodError, build_report
from api.schemas import Report
from api.tables import utcnow
from assistant.errors import UnknownBrandError
from assistant.models import BrandProfile
from assistant.pipeline import Components

router = APIRouter(prefix="/reports", tags=["reports"])
HTML_BODY = {200: {"content": {"text/html": {}}, "description": "the report as one HTML page"}}


def _readable_brand(brand_id: str, caller: Reader) -> str:
    """The brand, if the caller's key covers it: checked before the dates, so a key of another
    brand learns nothing, not even whether its dates were good."""
    check_brand(caller, brand_id)
    return brand_id


ReportBrand = Annotated[str, Depends(_readable_brand)]
From = Annotated[date, Query(alias="from", description="the first day, in the brand's timezone (YYYY-MM-DD)")]
To = Annotated[date, Query(alias="to", description="the last day, inclusive (YYYY-MM-DD); at most 366 days")]


@router.get("/{brand_id}.html", response_class=HTMLResponse, responses=HTML_BODY)
def report_page(brand: ReportBrand, db: SessionDep, parts: ComponentsDep, start: From, end: To) -> HTMLResponse:
    """The report as a self-contained HTML page: inline SVG charts, no scripts, prints on A4."""
    return HTMLResponse(html(_report(db, parts, brand, start, end)))


@router.get("/{brand_id}", response_model=Report, responses=HTML_BODY)
def report(
    brand: ReportBrand,
    db: SessionDep,
    parts: ComponentsDep,
    start: From,
    end: To,
    response: Response,
    format: Literal["json", "html"] = "json",
) -> Report | Response:
    """Mentions by sentiment, platform and topic, negatives by kind, response times against the
    brand's target, replies and cases, each against the period just before. `format=html`: the
    same as GET /reports/{brand_id}.html, which the JSON's `Link` header points to."""
    found = _report(db, parts, brand, start, end)
    if format == "html":
        return HTMLResponse(html(found))
    response.headers["Link"] = f'</reports/{brand}.html?from={start}&to={end}>; rel="alternate"; type="text/html"'
    return found


def _report(db: Session, parts: Components, brand: str, start: date, end: date) -> Report:
    try:
        return build_report(db, _profile(parts, brand), start, end, utcnow())
    except PeriodError as error:
        detail = [{"loc": ["query", error.parameter], "msg": str(error), "type": "value_error"}]
        raise HTTPException(status.HTTP_422_UNPROCESSABLE_CONTENT, detail) from None


def _profile(parts: Components, brand: str) -> BrandProfile:
    try:
        with CHAIN:
            return parts.store.load_brand(brand).profile
    except UnknownBrandError:
        raise NotFoundError(f"no brand {brand!r} in the knowledge store") from None
