"""Follow-ups drafted by the language model (`prompts/followup.yaml`); the offline writer is the fallback.

The model answers into the draft prompt's schema (`DraftOut`: the text and the facts it used)
from the same brief for the brand and the mention, plus the case's status and the operator's
note; the checks are ours and run after it (assistant/followup.py `write_follow_up`).
"""

from __future__ import annotations

from typing import Any

from assistant.errors import ModelOutputError, ModelUnavailableError
from assistant.followup import FollowUpRequest, FollowUpWriter
from assistant.llm_draft import DraftOut, as_fallback, model_draft, reply_values
from assistant.models import Draft
from assistant.prompts import Prompt
from assistant.structured import Ledger, StructuredCaller

# What the follow-up prompt takes from the draft prompt's values (the brief for this brand and mention).
_SHARED = ("brand", "language", "voice", "case", "promises", "channels", "limits", "facts", "author", "mention")


def follow_up_values(request: FollowUpRequest) -> dict[str, Any]:
    """The follow-up prompt's variables; the mention and the note are passed as values, never as template."""
    base = request.draft_request()
    shared = reply_values(base, base.knowledge)
    return {**{key: shared[key] for key in _SHARED}, "status": request.status.value, "note": request.told_note or None}


class LLMFollowUpWriter:
    """Drafts follow-ups with the model; unavailable or invalid twice → the offline writer, saying why."""

    name = "openai"

    def __init__(self, caller: StructuredCaller, prompt: Prompt, fallback: FollowUpWriter):
        self._caller = caller
        self._prompt = prompt
        self._fallback = fallback

    def write(self, request: FollowUpRequest) -> Draft:
        ledger: Ledger = []
        try:
            out = self._caller.ask(self._prompt, follow_up_values(request), DraftOut, ledger)
        except (ModelUnavailableError, ModelOutputError) as error:
            return as_fallback(self._fallback.write(request), error, ledger)
        return model_draft(out, request.draft_request(), ledger, [])
