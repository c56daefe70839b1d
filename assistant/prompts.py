"""Prompt templates: versioned YAML files under `prompts/`, validated data rendered by our own Jinja.

A template declares its variables; a template that uses an undeclared one fails at load,
and a render missing a declared one (or given an unknown one) fails at once, loudly —
LangChain's own jinja templates would render a gap as an empty string. Values are passed
as values: a mention's text is never pasted into a template's source, and the `untrusted`
filter keeps it from closing the block that marks it as data.
"""

from __future__ import annotations

from functools import cached_property
from pathlib import Path

import yaml
from jinja2 import Environment, FileSystemLoader, StrictUndefined, meta
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from assistant.errors import AssistantError

UNTRUSTED_MARKERS = ("<<<", ">>>")


class PromptError(AssistantError):
    """A prompt file is malformed, or was rendered with the wrong variables."""


class Message(BaseModel):
    role: str
    content: str


class PromptTemplate(BaseModel):
    """One prompt file: `prompts/<name>.yaml`."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str
    version: str
    description: str
    variables: dict[str, str] = Field(description="every variable the templates use, with what it holds")
    system: str
    user: str


class Prompt:
    """A validated template bound to the environment that renders it."""

    def __init__(self, template: PromptTemplate, env: Environment):
        self.template = template
        self._env = env
        self._check_declared()

    @property
    def name(self) -> str:
        return self.template.name

    @property
    def version(self) -> str:
        return self.template.version

    def render(self, values: dict[str, object]) -> list[Message]:
        """The system and user messages; a missing or unknown variable raises PromptError."""
        declared = set(self.template.variables)
        if missing := declared - values.keys():
            raise PromptError(f"prompt {self.name}: missing variables: {', '.join(sorted(missing))}")
        if unknown := values.keys() - declared:
            raise PromptError(f"prompt {self.name}: undeclared variables: {', '.join(sorted(unknown))}")
        rendered = [
            Message(role=part, content=self._compiled[part].render(values).strip()) for part in ("system", "user")
        ]
        return [message for message in rendered if message.content]

    @cached_property
    def _compiled(self):  # type: ignore[no-untyped-def]
        return {
            "system": self._env.from_string(self.template.system),
            "user": self._env.from_string(self.template.user),
        }

    def _check_declared(self) -> None:
        used: set[str] = set()
        for source in (self.template.system, self.template.user):
            used |= _variables_used(self._env, source)
        if undeclared := used - set(self.template.variables):
            raise PromptError(
                f"prompt {self.name}: templates use undeclared variables: {', '.join(sorted(undeclared))}"
            )
        if unused := set(self.template.variables) - used:
            raise PromptError(f"prompt {self.name}: declared but never used: {', '.join(sorted(unused))}")


def _variables_used(env: Environment, source: str) -> set[str]:
    """Top-level variables of a template and of the partials it includes."""
    parsed = env.parse(source)
    used = set(meta.find_undeclared_variables(parsed))
    for included in meta.find_referenced_templates(parsed):
        if included is None:
            raise PromptError("prompts include partials by literal name only")
        partial_source, _, _ = env.loader.get_source(env, included)  # type: ignore[union-attr]
        used |= _variables_used(env, partial_source)
    return used


def make_environment(prompts_dir: Path) -> Environment:
    """Plain text, strict undefined, partials from `prompts/partials/`; no autoescape (not HTML)."""
    env = Environment(
        loader=FileSystemLoader(str(prompts_dir)),
        undefined=StrictUndefined,
        autoescape=False,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=False,
    )
    env.filters["untrusted"] = _neutralise_markers
    return env


def _neutralise_markers(value: object) -> str:
    """Untrusted text may not contain the markers that delimit it."""
    text = str(value)
    for marker in UNTRUSTED_MARKERS:
        while marker in text:
            text = text.replace(marker, f"{marker[:2]} {marker[2:]}")
    return text


def load_prompt(prompts_dir: Path, name: str, env: Environment | None = None) -> Prompt:
    path = prompts_dir / f"{name}.yaml"
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as error:
        raise PromptError(f"{path}: {error}") from error
    try:
        template = PromptTemplate.model_validate(data)
    except ValidationError as error:
        raise PromptError(f"{path}: {error}") from error
    if template.name != name:
        raise PromptError(f"{path}: name {template.name!r} differs from the file name")
    return Prompt(template, env or make_environment(prompts_dir))


def load_prompts(prompts_dir: Path, names: tuple[str, ...]) -> dict[str, Prompt]:
    env = make_environment(prompts_dir)
    return {name: load_prompt(prompts_dir, name, env) for name in names}
