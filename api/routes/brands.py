"""Brands: each brand's knowledge (profile, voice guide, reaction matrix, facts), read by every
role of the brand and changed by its brand owner or an admin; every change versioned and audited.

A section's version is the `ETag` of its GET. Send it back as `If-Match` with a PUT, POST or
DELETE, and the write gets 409 if the section changed since; without `If-Match` the last write
wins (the history keeps what it replaced). See docs/knowledge-api.md.
"""

# No `from __future__ import annotations`: the section routes are made in a loop, and FastAPI
# must see each one's body model as a real class, not as the name of a local variable.

from typing import Annotated, Literal, TypeVar

from fastapi import APIRouter, Header, HTTPException, Query, Response, status
from pydantic import BaseModel

from api import knowledge
from api.deps import MAX_OFFSET, ComponentsDep, KnowledgeManager, Reader, SessionDep, check_brand
from api.knowledge import Versioned
from api.schemas import ApprovedRepliesPublic, BrandPublic, BrandsPublic, FactCreate, FactsPublic, KnowledgeHistory
from assistant.models import Fact
from knowledge.store import Section

router = APIRouter(prefix="/brands", tags=["brands"])
T = TypeVar("T")
IfMatch = Annotated[
    str | None,
    Header(description='the version you based the edit on: the ETag of your GET, e.g. "3"; 409 if it changed since'),
]
Limit = Annotated[int, Query(ge=1, le=200)]
Offset = Annotated[int, Query(ge=0, le=MAX_OFFSET)]
STALE = {409: {"description": "the section changed since the If-Match version (or the fact id exists)"}}


@router.get("")
def list_brands(parts: ComponentsDep, caller: Reader, brand: str | None = None) -> BrandsPublic:
    """The brands this key covers (an admin's: all), with each section's version."""
    if brand is not None:
        check_brand(caller, brand)
    found = knowledge.brands(parts, caller, brand)
    return BrandsPublic(data=found, count=len(found))


@router.get("/{brand_id}")
def get_brand(brand_id: str, parts: ComponentsDep, caller: Reader) -> BrandPublic:
    """Profile, voice guide and matrix whole; how many facts and approved replies; every section's version."""
    check_brand(caller, brand_id)
    return knowledge.brand(parts, brand_id)


def _add_section_routes(section: Section, model: type[BaseModel]) -> None:
    """GET and PUT /brands/{brand_id}/<section>: the body is the section's own model, whole."""

    def read(brand_id: str, parts: ComponentsDep, caller: Reader, response: Response):
        check_brand(caller, brand_id)
        return _tagged(response, knowledge.read_section(parts, brand_id, section))

    def replace(
        brand_id: str,
        body: model,  # type: ignore[valid-type]
        db: SessionDep,
        parts: ComponentsDep,
        caller: KnowledgeManager,
        response: Response,
        if_match: IfMatch = None,
    ):
        check_brand(caller, brand_id)
        if section is Section.profile:
            _same_id(brand_id, body.id, "a profile cannot rename or move its brand")
        changed = knowledge.replace_section(db, parts, caller, brand_id, section, body, _expected(if_match))
        return _tagged(response, changed)

    path, name = f"/{{brand_id}}/{section.value}", section.value
    router.add_api_route(
        path, read, methods=["GET"], response_model=model, name=f"read_{name}", summary=f"The brand's {name}"
    )
    router.add_api_route(
        path,
        replace,
        methods=["PUT"],
        response_model=model,
        name=f"replace_{name}",
        summary=f"Replace the brand's {name} whole",
        responses=STALE,
    )


for _section, _model in knowledge.SECTION_MODELS.items():
    _add_section_routes(_section, _model)


@router.get("/{brand_id}/facts")
def list_facts(brand_id: str, parts: ComponentsDep, caller: Reader, response: Response) -> FactsPublic:
    check_brand(caller, brand_id)
    found = knowledge.facts(parts, brand_id)
    _tagged(response, found)
    return FactsPublic(data=found.value, count=len(found.value), version=found.version)


@router.post("/{brand_id}/facts", status_code=status.HTTP_201_CREATED, responses=STALE)
def add_fact(
    brand_id: str,
    body: FactCreate,
    db: SessionDep,
    parts: ComponentsDep,
    caller: KnowledgeManager,
    response: Response,
    if_match: IfMatch = None,
) -> Fact:
    """A new fact: retrieved, and citable, from the next draft on."""
    check_brand(caller, brand_id)
    added = knowledge.add_fact(db, parts, caller, brand_id, Fact(**body.model_dump()), _expected(if_match))
    return _tagged(response, added)


@router.get("/{brand_id}/facts/{fact_id}")
def get_fact(brand_id: str, fact_id: str, parts: ComponentsDep, caller: Reader, response: Response) -> Fact:
    check_brand(caller, brand_id)
    return _tagged(response, knowledge.fact(parts, brand_id, fact_id))


@router.put("/{brand_id}/facts/{fact_id}", responses=STALE)
def replace_fact(
    brand_id: str,
    fact_id: str,
    body: FactCreate,
    db: SessionDep,
    parts: ComponentsDep,
    caller: KnowledgeManager,
    response: Response,
    if_match: IfMatch = None,
) -> Fact:
    check_brand(caller, brand_id)
    _same_id(fact_id, body.id, "a fact's id cannot change: delete it and add a new one")
    changed = knowledge.replace_fact(db, parts, caller, brand_id, Fact(**body.model_dump()), _expected(if_match))
    return _tagged(response, changed)


@router.delete("/{brand_id}/facts/{fact_id}", status_code=status.HTTP_204_NO_CONTENT, responses=STALE)
def delete_fact(
    brand_id: str,
    fact_id: str,
    db: SessionDep,
    parts: ComponentsDep,
    caller: KnowledgeManager,
    if_match: IfMatch = None,
) -> Response:
    """Remove a fact: no later draft cites it."""
    check_brand(caller, brand_id)
    version = knowledge.delete_fact(db, parts, caller, brand_id, fact_id, _expected(if_match))
    return Response(status_code=status.HTTP_204_NO_CONTENT, headers={"ETag": f'"{version}"'})


@router.get("/{brand_id}/history")
def knowledge_history(
    brand_id: str,
    db: SessionDep,
    caller: Reader,
    section: Section | None = None,
    limit: Limit = 50,
    offset: Offset = 0,
) -> KnowledgeHistory:
    """Changes to the brand's knowledge through the API, newest first: version, section, whose key,
    when, the changed fields, before and after. (`otklik ingest` raises versions too, unrecorded here.)"""
    check_brand(caller, brand_id)
    return knowledge.history(db, brand_id, section, limit, offset)


@router.get("/{brand_id}/approved-replies")
def list_approved_replies(
    brand_id: str,
    parts: ComponentsDep,
    caller: Reader,
    source: Literal["seed", "service"] | None = None,
    limit: Limit = 50,
    offset: Offset = 0,
) -> ApprovedRepliesPublic:
    """The brand's approved replies, personal data replaced; `source=service`: those operators approved."""
    check_brand(caller, brand_id)
    return knowledge.approved_replies(parts, brand_id, source, limit, offset)


def _tagged(response: Response, found: Versioned[T]) -> T:
    """The value, with its section's version as the response's ETag."""
    response.headers["ETag"] = f'"{found.version}"'
    return found.value


def _expected(if_match: str | None) -> int | None:
    """The version an If-Match header names ("3", 3 or W/"3"); None when absent or "*"."""
    if if_match is None or if_match.strip() == "*":
        return None
    tag = if_match.strip().removeprefix("W/").strip('"')
    if not tag.isdigit():
        message = f'If-Match must be a version, the ETag of your GET (e.g. "3"), not {if_match!r}'
        raise _invalid(["header", "If-Match"], message, "value_error")
    return int(tag)


def _same_id(path_id: str, body_id: str, why: str) -> None:
    if body_id != path_id:
        raise _invalid(["body", "id"], f"id {body_id!r} differs from {path_id!r} in the path: {why}", "id_mismatch")


def _invalid(loc: list[str], message: str, kind: str) -> HTTPException:
    """A 422 shaped like FastAPI's own validation errors, naming the field."""
    return HTTPException(status.HTTP_422_UNPROCESSABLE_CONTENT, [{"loc": loc, "msg": message, "type": kind}])
