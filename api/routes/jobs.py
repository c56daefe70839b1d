"""Batch uploads: a JSON list, JSON lines, a CSV file or an Excel workbook (.xlsx) of mentions,
stored at once and drafted in the background; the job shows the progress and the results.
Formats, the canonical CSV schema and column mappings: docs/csv-import.md."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Annotated, Any

from fastapi import APIRouter, Depends, HTTPException, Query, Request, Response, status
from pydantic import ValidationError
from starlette.datastructures import FormData, UploadFile

from api import jobs, service
from api.access import own_job
from api.deps import MAX_OFFSET, ApiSettingsDep, ComponentsDep, Reader, SessionDep, Submitter, check_brand
from api.jobs import JobWorker, Screened
from api.keys import Caller
from api.schemas import JobPublic, JobResultsPublic, JobsPublic, JobStatus, UploadedMention
from api.settings import ApiSettings
from assistant.errors import InputError, UnknownBrandError
from assistant.mention_io import (
    PRESETS,
    SUFFIXES,
    ColumnMapping,
    SourceFormat,
    TooManyRowsError,
    column_mapping,
    parse_mentions,
    sniff_format,
)

router = APIRouter(prefix="/jobs", tags=["jobs"])

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

MEDIA_TYPES = {
    "application/json": SourceFormat.json,
    "application/x-ndjson": SourceFormat.jsonl,
    "application/jsonl": SourceFormat.jsonl,
    "application/x-jsonlines": SourceFormat.jsonl,
    "text/csv": SourceFormat.csv,
    XLSX_TYPE: SourceFormat.xlsx,
}
MULTIPART = "multipart/form-data"
OCTET_STREAM = "application/octet-stream"  # read only if it is an .xlsx workbook (by its zip signature)
OPTIONS = ("brand", "preset", "mapping")  # query parameters, or form fields of a multipart upload
MAX_FORM_FIELDS = 10  # beyond it the form parser refuses; up to it, an unknown field is named

_option = {"type": "string"}
UPLOAD_BODY: dict[str, Any] = {
    "requestBody": {
        "required": True,
        "content": {
            "application/json": {"schema": {"type": "array", "items": {"type": "object"}}},
            "application/x-ndjson": {"schema": {"type": "string", "description": "one mention object per line"}},
            "text/csv": {"schema": {"type": "string", "description": "a header row, then one mention per row"}},
            XLSX_TYPE: {"schema": {"type": "string", "format": "binary", "description": "the first sheet is read"}},
            MULTIPART: {
                "schema": {
                    "type": "object",
                    "required": ["file"],
                    "properties": {
                        "file": {"type": "string", "format": "binary", "description": ".csv, .xlsx, .jsonl or .json"},
                        "brand": _option,
                        "preset": {"type": "string", "enum": list(PRESETS)},
                        "mapping": {**_option, "description": "a column mapping as JSON"},
                    },
                }
            },
        },
    }
}
REFUSALS: dict[int | str, dict[str, Any]] = {
    403: {"description": "the key may not submit, or covers no brand of the upload's rows"},
    413: {"description": "more bytes than OTKLIK_MAX_UPLOAD_BYTES or rows than OTKLIK_MAX_UPLOAD_ROWS"},
    415: {"description": "a content type other than JSON, JSON lines, CSV, XLSX or a multipart file upload"},
    422: {"description": "unreadable upload, bad preset or mapping, or no good row"},
}


@dataclass(frozen=True)
class RawUpload:
    """An upload as received, before its rows are read."""

    data: bytes
    source: SourceFormat
    filename: str | None
    options: dict[str, str | None]  # brand, preset, mapping
    options_loc: str  # where the options were given: "query" or "body"
    content_loc: tuple[str, ...]  # where the rows were: ("body",) or ("body", "file")


def running_worker(request: Request) -> JobWorker:
    """The app's jobs worker, started if the app's lifespan did not start it."""
    worker: JobWorker = request.app.state.jobs
    worker.ensure_started()
    return worker


WorkerDep = Annotated[JobWorker, Depends(running_worker)]


async def receive_upload(
    request: Request,
    brand: Annotated[str | None, Query(description="the brand of rows that name none")] = None,
    preset: Annotated[str | None, Query(description=f"column preset: {', '.join(PRESETS)}")] = None,
    mapping: Annotated[str | None, Query(description="a column mapping as JSON, laid over the preset")] = None,
) -> RawUpload:
    """The upload's bytes, format and options; 415 for a type we do not read. (The body's size is
    held to OTKLIK_MAX_UPLOAD_BYTES as it arrives: api/limits.py.)"""
    media_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    options = {"brand": brand, "preset": preset, "mapping": mapping}
    if media_type == MULTIPART:
        async with request.form(max_files=1, max_fields=MAX_FORM_FIELDS) as form:
            return await _form_upload(form, options)
    if media_type not in MEDIA_TYPES and media_type != OCTET_STREAM:
        raise _unsupported(f"content type {media_type!r}" if media_type else "a body without a content type")
    data = await request.body()
    source = sniff_format(data, MEDIA_TYPES.get(media_type))
    if source is None:
        raise _unsupported(f"an {OCTET_STREAM} body that is no .xlsx workbook")
    return RawUpload(data, source, None, options, "query", ("body",))


async def _form_upload(form: FormData, options: dict[str, str | None]) -> RawUpload:
    unknown = sorted(set(form) - {"file", *OPTIONS})
    if unknown:
        message = f"unknown form field {unknown[0]!r}; the fields are file, {', '.join(OPTIONS)}"
        raise _invalid(("body", unknown[0]), message)
    upload = form.get("file")
    if not isinstance(upload, UploadFile):
        raise _invalid(("body", "file"), "a multipart upload needs its rows as a file in the field 'file'", "missing")
    data = await upload.read()
    for name in OPTIONS:
        value = form.get(name)
        if isinstance(value, UploadFile):
            raise _invalid(("body", name), "expected a text field, not a file")
        options[name] = value or options[name]
    return RawUpload(data, _file_format(upload, data), upload.filename, options, "body", ("body", "file"))


def _file_format(upload: UploadFile, data: bytes) -> SourceFormat:
    """By the file's extension, else by its content type; a zip archive is read as a workbook."""
    name = upload.filename or ""
    suffix = name[name.rfind(".") :].lower() if "." in name else ""
    media_type = (upload.content_type or "").split(";")[0].strip().lower()
    found = sniff_format(data, SUFFIXES.get(suffix) or MEDIA_TYPES.get(media_type))
    if found is None:
        raise _unsupported(f"file {name!r} ({media_type or 'no content type'})")
    return found


@router.post("", status_code=status.HTTP_202_ACCEPTED, responses=REFUSALS, openapi_extra=UPLOAD_BODY)
def submit_job(
    caller: Submitter,
    upload: Annotated[RawUpload, Depends(receive_upload)],
    db: SessionDep,
    parts: ComponentsDep,
    limits: ApiSettingsDep,
    worker: WorkerDep,
    response: Response,
) -> JobPublic:
    """Store a batch of mentions as pending and draft them in the background: 202 with the job to poll.

    Bad rows are reported by line and the good ones kept. A row of a brand this key does not
    cover is a bad row; an upload with none of the key's brands at all is refused (403)."""
    known_brands = service.brand_ids(parts)
    _check_default_brand(caller, upload, known_brands)
    parsed = _read(upload, limits)
    screened = jobs.screen(parsed, caller, known_brands, limits)
    if not screened.accepted:
        raise _nothing_to_store(screened, upload)
    received = jobs.create_job(db, caller, parsed, screened)
    worker.wake()
    response.headers["Location"] = received.url
    return received


@router.get("")
def list_jobs(
    db: SessionDep,
    caller: Reader,
    _worker: WorkerDep,
    brand: str | None = None,
    status: JobStatus | None = None,
    limit: Annotated[int, Query(ge=1, le=100)] = 20,
    offset: Annotated[int, Query(ge=0, le=MAX_OFFSET)] = 0,
) -> JobsPublic:
    """Jobs newest first: only those whose every brand this key covers (an admin sees all)."""
    if brand is not None:
        check_brand(caller, brand)
    rows, total = jobs.list_jobs(db, caller, brand, status, limit, offset)
    return JobsPublic(data=[jobs.job_summary(db, row) for row in rows], count=total)


@router.get("/{job_id}")
def get_job(job_id: str, db: SessionDep, caller: Reader, _worker: WorkerDep) -> JobPublic:
    """The job's progress (its rows by mention status), whether it is done, and its bad rows."""
    return jobs.job_public(db, own_job(db, caller, job_id))


@router.get("/{job_id}/results")
def job_results(
    job_id: str,
    db: SessionDep,
    caller: Reader,
    _worker: WorkerDep,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
    offset: Annotated[int, Query(ge=0, le=MAX_OFFSET)] = 0,
) -> JobResultsPublic:
    """The accepted rows in line order: each one's mention, status, and draft text or error."""
    return jobs.job_results(db, own_job(db, caller, job_id), limit, offset)


# --- reading an upload ---------------------------------------------------------------------------


def _check_default_brand(caller: Caller, upload: RawUpload, known_brands: list[str]) -> None:
    brand = upload.options["brand"]
    if brand is None:
        return
    check_brand(caller, brand)
    if brand not in known_brands:
        raise _invalid((upload.options_loc, "brand"), str(UnknownBrandError(brand, known_brands)), "unknown_brand")


def _read(upload: RawUpload, limits: ApiSettings) -> jobs.Upload:
    """The upload's rows, read with its column mapping; 422 naming what makes it unreadable."""
    mapping = _mapping(upload)
    try:
        batch = parse_mentions(
            upload.data,
            upload.source,
            upload.options["brand"],
            mapping,
            model=UploadedMention,
            max_rows=limits.max_upload_rows,
        )
    except TooManyRowsError as error:
        message = f"the upload has {error.rows} rows; the limit is {error.limit} (OTKLIK_MAX_UPLOAD_ROWS)"
        raise _invalid(upload.content_loc, message, "too_many_rows", status.HTTP_413_CONTENT_TOO_LARGE) from None
    except InputError as error:
        raise _invalid(upload.content_loc, str(error), "invalid_upload") from None
    return jobs.Upload(batch, upload.source, mapping, upload.filename)


def _mapping(upload: RawUpload) -> ColumnMapping:
    """The preset with the custom mapping laid over it; 422 naming the preset or the mapping's bad part."""
    loc, text = upload.options_loc, upload.options["mapping"]
    try:
        custom = json.loads(text) if text else None
    except json.JSONDecodeError as error:
        raise _invalid((loc, "mapping"), f"not valid JSON: {error.msg}", "json_invalid") from None
    if custom is not None and not isinstance(custom, dict):
        raise _invalid((loc, "mapping"), 'expected a JSON object, e.g. {"columns": {"Message": "text"}}')
    try:
        return column_mapping(upload.options["preset"], custom)
    except InputError as error:
        raise _invalid((loc, "preset"), str(error), "unknown_preset") from None
    except ValidationError as error:
        details = [{"loc": [loc, "mapping", *e["loc"]], "msg": e["msg"], "type": e["type"]} for e in error.errors()]
        raise HTTPException(status.HTTP_422_UNPROCESSABLE_CONTENT, details) from None


def _nothing_to_store(screened: Screened, upload: RawUpload) -> HTTPException:
    """No good row: 403 if the rows are of brands the key does not cover, else 422 with each bad row."""
    if screened.foreign:
        return HTTPException(status.HTTP_403_FORBIDDEN, "this key does not cover the brands of this upload")
    if not screened.rejected:
        return _invalid(upload.content_loc, "the upload has no rows", "empty_upload")
    rows = [
        {"loc": list(upload.content_loc), "line": row.line, "msg": row.message, "type": "invalid_row"}
        for row in screened.rejected
    ]
    return HTTPException(status.HTTP_422_UNPROCESSABLE_CONTENT, rows)


def _invalid(
    loc: tuple[str, ...], message: str, kind: str = "value_error", code: int = status.HTTP_422_UNPROCESSABLE_CONTENT
) -> HTTPException:
    """An error in the shape of FastAPI's validation errors: where, what, which kind."""
    return HTTPException(code, [{"loc": list(loc), "msg": message, "type": kind}])


def _unsupported(what: str) -> HTTPException:
    accepted = ", ".join([*MEDIA_TYPES, f"{MULTIPART} with a .csv, .xlsx, .jsonl or .json file"])
    return HTTPException(status.HTTP_415_UNSUPPORTED_MEDIA_TYPE, f"cannot read {what}; send {accepted}")
