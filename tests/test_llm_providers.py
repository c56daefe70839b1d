"""GigaChat and YandexGPT through scripted servers of their own protocols on 127.0.0.1: OAuth with
token expiry and renewal, function calls, Yandex's auth header and model URIs; drafts, one re-ask,
429 then success, 401 as a configuration error, the breaker, and no key or token in any log."""

from __future__ import annotations

import asyncio
import base64
import json
import logging
import os
from collections.abc import Iterator
from dataclasses import replace

import httpx
import pytest
from pydantic import SecretStr

from assistant.config import Settings
from assistant.errors import ConfigurationError
from assistant.llm import make_chat_model, translate_error
from assistant.models import DraftStatus, Mention, Platform
from assistant.pipeline import Components, run, run_batch, with_language_model
from benchmarks import token_factor
from knowledge.embeddings import Embedder
from otklik.cli import main
from tests import fake_openai_server as fake
from tests.fake_gigachat_server import FakeGigaChat
from tests.fake_yandex_server import FakeYandex

COMPLAINT = "Заказ 48213 привезли через два часа, суп холодный"
GIGA_KEY = base64.b64encode(b"test-client-id:test-client-secret-7f3a").decode()
YANDEX_KEY = "AQVN-test-api-key-never-logged-51c2"
IAM_TOKEN = "t1.test-iam-token-never-logged-9d0e"
FOLDER = "b1gtestfolder"
BAD_SENTIMENT = fake.CLASSIFICATION | {"sentiment": "furious"}


def _mention(text: str = COMPLAINT, mention_id: str | None = None) -> Mention:
    extra = {"id": mention_id} if mention_id else {}
    return Mention(brand="obed-express", platform=Platform.vk, author_name="Ирина", rating=2, text=text, **extra)


def _with_model(components: Components, **settings: object) -> Components:
    llm_settings = components.settings.model_copy(update={"max_retries": 0, "request_timeout": 5.0, **settings})
    return with_language_model(replace(components, settings=llm_settings), make_chat_model(llm_settings))


def _secrets_in_logs(caplog: pytest.LogCaptureFixture, secrets: list[str]) -> list[str]:
    logged = [r.getMessage() + str(r.__dict__) for r in caplog.records]
    return [s for s in secrets if any(s in line for line in logged)]


# --- GigaChat ------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def giga_server() -> Iterator[tuple[FakeGigaChat, str, str]]:
    server = FakeGigaChat(credentials=GIGA_KEY)
    base_url, auth_url = server.start()
    yield server, base_url, auth_url
    server.stop()


@pytest.fixture
def giga(giga_server: tuple[FakeGigaChat, str, str]) -> FakeGigaChat:
    giga_server[0].reset()
    return giga_server[0]


def _giga_parts(components: Components, giga_server: tuple[FakeGigaChat, str, str], **settings: object) -> Components:
    values = {
        "model": "gigachat",
        "model_name": "GigaChat-2-Max",
        "base_url": giga_server[1],
        "gigachat_auth_url": giga_server[2],
        "gigachat_credentials": SecretStr(GIGA_KEY),
        "gigachat_scope": "GIGACHAT_API_CORP",
    }
    return _with_model(components, **{**values, **settings})


def test_gigachat_classifies_and_drafts_with_function_calls(giga: FakeGigaChat, giga_server, components) -> None:
    result = run(_mention(), _giga_parts(components, giga_server, max_tokens=321))
    assert result.classification.backend == "openai" and result.draft.backend == "openai"
    assert result.draft.status is DraftStatus.ready, result.draft.failed_checks
    [oauth] = giga.oauth_requests
    assert oauth["headers"]["authorization"] == f"Basic {GIGA_KEY}" and oauth["form"]["scope"] == ["GIGACHAT_API_CORP"]
    bodies = [r["body"] for r in giga.requests]
    assert [b["function_call"]["name"] for b in bodies] == ["ClassificationOut", "DraftOut"]
    assert [b["functions"][0]["name"] for b in bodies] == ["ClassificationOut", "DraftOut"]
    assert all(b["model"] == "GigaChat-2-Max" and b["max_tokens"] == 321 for b in bodies)
    assert [r["authorization"] for r in giga.requests] == [f"Bearer {giga.issued[0]}"] * 2
    assert all(c.model == "GigaChat-2-Max" and c.prompt_tokens and c.completion_tokens == 40 for c in result.calls)


def test_gigachat_invalid_classification_gets_one_reask(giga: FakeGigaChat, giga_server, components) -> None:
    giga.enqueue(fake.ok(BAD_SENTIMENT))
    result = run(_mention(), _giga_parts(components, giga_server))
    assert result.classification.backend == "openai" and result.classification.sentiment.value == "negative"
    assert [c.outcome for c in result.classification.calls] == ["invalid_output", "ok"]
    reask = giga.requests[1]["body"]["messages"]
    assert [m["role"] for m in reask] == ["system", "user", "user"]  # GigaChat takes a system message only first
    assert "did not match the required structure" in reask[-1]["content"] and "sentiment" in reask[-1]["content"]


def test_a_token_expired_mid_batch_is_renewed_once_and_the_batch_goes_on(
    giga: FakeGigaChat, giga_server, components, caplog: pytest.LogCaptureFixture
) -> None:
    giga.expire_after = 3  # the server expires the first token after three calls
    mentions = [_mention(f"{COMPLAINT}, заказ {n}", mention_id=f"giga-{n}") for n in range(3)]
    with caplog.at_level(logging.DEBUG):
        results = asyncio.run(run_batch(mentions, _giga_parts(components, giga_server), concurrency=1))
    assert all(r.classification.backend == "openai" and r.draft.backend == "openai" for r in results)
    assert len(giga.oauth_requests) == 2 and giga.rejected == [giga.issued[0]]
    assert len(giga.requests) == 2 * 3 + 1  # the rejected call once more, with the new token
    assert [giga.token_of(i) for i in range(len(giga.requests))] == [giga.issued[0]] * 4 + [giga.issued[1]] * 3
    assert not _secrets_in_logs(caplog, [GIGA_KEY, *giga.issued])


def test_a_token_about_to_expire_is_renewed_before_it_is_used_again(giga: FakeGigaChat, giga_server, components):
    giga.lifetimes_ms.append(20_000)  # inside the client's one-minute margin: renewed before the next call
    result = run(_mention(), _giga_parts(components, giga_server))
    assert result.draft.backend == "openai"
    assert len(giga.oauth_requests) == 2 and not giga.rejected
    assert giga.token_of(0) == giga.issued[0] and giga.token_of(1) == giga.issued[1]


def test_gigachat_429_then_success(giga: FakeGigaChat, giga_server, components) -> None:
    giga.enqueue(fake.failure(429, "Too many requests"))
    result = run(_mention(), _giga_parts(components, giga_server, max_retries=1))
    assert result.classification.backend == "openai" and result.draft.backend == "openai"
    assert len(giga.requests) == 3 and [c.outcome for c in result.calls] == ["ok", "ok"]


def test_gigachat_unavailable_falls_back_and_opens_the_breaker(giga: FakeGigaChat, giga_server, components) -> None:
    giga.enqueue(*[fake.failure(503, "Service unavailable")] * 2)
    parts = _giga_parts(components, giga_server, breaker_failures=2)
    first, second = run(_mention(), parts), run(_mention(), parts)
    assert first.classification.backend == "offline-fallback" and "HTTP 503 after retries" in first.draft.warnings[0]
    assert second.draft.backend == "offline-fallback" and first.draft.text
    assert [c.outcome for c in second.calls] == ["circuit_open", "circuit_open"]
    assert len(giga.requests) == 2


def test_a_gigachat_401_after_a_renewal_is_a_configuration_error(giga: FakeGigaChat, giga_server, components) -> None:
    giga.refuse_after = 1  # the classification passes, then every token is refused (access withdrawn)
    with pytest.raises(ConfigurationError, match="OTKLIK_GIGACHAT_SCOPE") as caught:
        run(_mention(), _giga_parts(components, giga_server, max_retries=2))
    assert len(giga.oauth_requests) == 2 and len(giga.requests) == 3  # one renewal, one retry, no fallback
    assert giga.rejected == giga.issued  # the old token, then the renewed one
    assert not any(secret in str(caught.value) for secret in [GIGA_KEY, *giga.issued])


def test_a_fresh_token_refused_is_a_configuration_error_at_once(giga: FakeGigaChat, giga_server, components) -> None:
    giga.refuse_after = 0
    with pytest.raises(ConfigurationError, match="OTKLIK_GIGACHAT_SCOPE"):
        run(_mention(), _giga_parts(components, giga_server))
    assert len(giga.oauth_requests) == 1 and len(giga.requests) == 1


def test_a_wrong_authorization_key_is_a_configuration_error(giga: FakeGigaChat, giga_server, components) -> None:
    wrong = base64.b64encode(b"test-client-id:wrong-secret").decode()
    with pytest.raises(ConfigurationError, match="OTKLIK_GIGACHAT_CREDENTIALS") as caught:
        run(_mention(), _giga_parts(components, giga_server, gigachat_credentials=SecretStr(wrong)))
    assert wrong not in str(caught.value) and not giga.requests


def test_an_unknown_gigachat_model_is_a_configuration_error(giga: FakeGigaChat, giga_server, components) -> None:
    with pytest.raises(ConfigurationError, match="OTKLIK_MODEL_NAME"):
        run(_mention(), _giga_parts(components, giga_server, model_name="GigaChat-9"))


# --- YandexGPT -----------------------------------------------------------------------------


@pytest.fixture(scope="module")
def yandex_server() -> Iterator[tuple[FakeYandex, str]]:
    server = FakeYandex(api_key=YANDEX_KEY, iam_token=IAM_TOKEN, folder_id=FOLDER)
    url = server.start()
    yield server, url
    server.stop()


@pytest.fixture
def yandex(yandex_server: tuple[FakeYandex, str]) -> FakeYandex:
    yandex_server[0].reset()
    return yandex_server[0]


def _yandex_parts(components: Components, url: str, **settings: object) -> Components:
    values = {
        "model": "yandexgpt",
        "model_name": "yandexgpt/latest",
        "base_url": url,
        "api_key": SecretStr(YANDEX_KEY),
        "yandex_folder_id": FOLDER,
    }
    return _with_model(components, **{**values, **settings})


def test_yandexgpt_drafts_with_its_api_key_header_and_model_uri(
    yandex: FakeYandex, yandex_server, components, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.DEBUG):
        result = run(_mention(), _yandex_parts(components, yandex_server[1]))
    assert result.classification.backend == "openai" and result.draft.backend == "openai"
    assert result.draft.status is DraftStatus.ready, result.draft.failed_checks
    assert [h["authorization"] for h in yandex.headers] == [f"Api-Key {YANDEX_KEY}"] * 2
    assert all(h["openai-project"] == FOLDER for h in yandex.headers)
    assert [b["model"] for b in yandex.requests] == [f"gpt://{FOLDER}/yandexgpt/latest"] * 2
    assert yandex.schemas_asked() == ["ClassificationOut", "DraftOut"] and yandex.requests[0]["tools"]
    assert not _secrets_in_logs(caplog, [YANDEX_KEY])


def test_yandexgpt_takes_an_iam_token_and_a_full_model_uri(yandex: FakeYandex, yandex_server, components) -> None:
    uri = f"gpt://{FOLDER}/yandexgpt-lite/rc"
    parts = _yandex_parts(
        components, yandex_server[1], api_key=SecretStr(IAM_TOKEN), yandex_auth="iam_token", model_name=uri
    )
    result = run(_mention(), parts)
    assert result.draft.backend == "openai"
    assert [h["authorization"] for h in yandex.headers] == [f"Bearer {IAM_TOKEN}"] * 2
    assert [b["model"] for b in yandex.requests] == [uri] * 2


def test_yandexgpt_invalid_classification_gets_one_reask(yandex: FakeYandex, yandex_server, components) -> None:
    yandex.enqueue(fake.ok(BAD_SENTIMENT))
    result = run(_mention(), _yandex_parts(components, yandex_server[1]))
    assert result.classification.backend == "openai" and result.draft.backend == "openai"
    assert [c.outcome for c in result.classification.calls] == ["invalid_output", "ok"]
    assert "did not match the required structure" in yandex.requests[1]["messages"][-1]["content"]
    assert all(body["tools"] for body in yandex.requests)


def test_yandexgpt_drafts_with_a_json_schema_response_format(yandex: FakeYandex, yandex_server, components) -> None:
    result = run(_mention(), _yandex_parts(components, yandex_server[1], structured_method="json_schema"))
    assert result.classification.backend == "openai" and result.draft.backend == "openai"
    assert [b["response_format"]["type"] for b in yandex.requests] == ["json_schema"] * 2
    assert not any("tools" in body for body in yandex.requests)


def test_yandexgpt_429_then_success(yandex: FakeYandex, yandex_server, components) -> None:
    yandex.enqueue(fake.failure(429, "Too many requests"))
    result = run(_mention(), _yandex_parts(components, yandex_server[1], max_retries=1))
    assert result.classification.backend == "openai" and result.draft.backend == "openai"
    assert len(yandex.requests) == 3


def test_a_rejected_yandex_key_is_a_configuration_error(yandex: FakeYandex, yandex_server, components) -> None:
    wrong = "AQVN-wrong-key-3b1d"
    with pytest.raises(ConfigurationError, match="OTKLIK_API_KEY") as caught:
        run(_mention(), _yandex_parts(components, yandex_server[1], api_key=SecretStr(wrong), max_retries=2))
    assert wrong not in str(caught.value) and len(yandex.requests) == 1  # no retry, no fallback


def test_a_model_outside_the_folder_is_a_configuration_error(yandex: FakeYandex, yandex_server, components) -> None:
    with pytest.raises(ConfigurationError, match="OTKLIK_MODEL_NAME"):
        run(_mention(), _yandex_parts(components, yandex_server[1], yandex_folder_id="b1gotherfolder"))


# --- settings and the command line ---------------------------------------------------------


@pytest.mark.parametrize(
    ("provider", "named"),
    [
        ("gigachat", ["OTKLIK_GIGACHAT_CREDENTIALS"]),
        ("yandexgpt", ["OTKLIK_API_KEY", "OTKLIK_YANDEX_FOLDER_ID"]),
    ],
)
def test_a_missing_setting_is_named_at_start(provider: str, named: list[str], tmp_path) -> None:
    settings = Settings(_env_file=None, data_dir=tmp_path, model=provider)
    with pytest.raises(ConfigurationError) as caught:
        make_chat_model(settings)
    assert all(name in str(caught.value) for name in named)


def test_a_client_secret_is_not_taken_for_the_authorization_key(tmp_path) -> None:
    secret = "not base64: the client secret alone"
    settings = Settings(_env_file=None, data_dir=tmp_path, model="gigachat", gigachat_credentials=secret)
    with pytest.raises(ConfigurationError, match="not an authorization key") as caught:
        make_chat_model(settings)
    assert secret not in str(caught.value)


def test_each_provider_has_its_own_defaults(tmp_path) -> None:
    giga = Settings(_env_file=None, model="gigachat")
    yandex = Settings(_env_file=None, model="yandexgpt", model_name="yandexgpt-lite/latest")
    assert (giga.model_name, giga.base_url) == ("GigaChat-2-Max", "https://gigachat.devices.sberbank.ru/api/v1")
    assert (yandex.model_name, yandex.base_url) == ("yandexgpt-lite/latest", "https://llm.api.cloud.yandex.net/v1")
    assert giga.token_factor == yandex.token_factor == 1.0 and not giga.talks_to_openai
    assert Settings(_env_file=None, model="gigachat", token_safety_factor=1.3).token_factor == 1.3


def test_an_untrusted_certificate_names_the_ca_setting(tmp_path) -> None:
    settings = Settings(_env_file=None, model="gigachat", gigachat_credentials=GIGA_KEY)
    error = httpx.ConnectError("[SSL: CERTIFICATE_VERIFY_FAILED] certificate verify failed: self-signed certificate")
    assert "OTKLIK_GIGACHAT_CA_BUNDLE" in str(translate_error(error, settings))
    assert "timed out" in str(translate_error(httpx.ReadTimeout("slow"), settings))


@pytest.fixture
def cli_env(components: Components, embedder: Embedder, monkeypatch: pytest.MonkeyPatch) -> pytest.MonkeyPatch:
    for name in list(os.environ):
        if name.startswith(("OTKLIK_", "GIGACHAT_")):
            monkeypatch.delenv(name)
    monkeypatch.setenv("OTKLIK_DATA_DIR", str(components.settings.data_dir))
    monkeypatch.setattr("assistant.pipeline.Embedder", lambda: embedder)
    return monkeypatch


def _use_gigachat(cli_env, giga_server) -> None:
    """The environment a user sets for GigaChat, pointed at the fake."""
    for name, value in {
        "MODEL": "gigachat",
        "GIGACHAT_CREDENTIALS": GIGA_KEY,
        "BASE_URL": giga_server[1],
        "GIGACHAT_AUTH_URL": giga_server[2],
    }.items():
        cli_env.setenv(f"OTKLIK_{name}", value)


def test_cli_drafts_with_otklik_model_gigachat(cli_env, giga: FakeGigaChat, giga_server, capsys) -> None:
    _use_gigachat(cli_env, giga_server)
    assert main(["draft", "--brand", "obed-express", "--author", "Ирина", "--json", COMPLAINT]) == 0
    result = json.loads(capsys.readouterr().out)
    assert result["draft"]["backend"] == "openai" and result["draft"]["status"] == "ready"
    assert [c["model"] for c in result["classification"]["calls"]] == ["GigaChat-2-Max"]  # the provider's default
    assert giga.oauth_requests[0]["form"]["scope"] == ["GIGACHAT_API_PERS"]


def test_cli_drafts_with_otklik_model_yandexgpt(cli_env, yandex: FakeYandex, yandex_server, capsys) -> None:
    for name, value in {"MODEL": "yandexgpt", "API_KEY": YANDEX_KEY, "YANDEX_FOLDER_ID": FOLDER}.items():
        cli_env.setenv(f"OTKLIK_{name}", value)
    cli_env.setenv("OTKLIK_BASE_URL", yandex_server[1])
    assert main(["draft", "--brand", "obed-express", "--author", "Ирина", "--json", COMPLAINT]) == 0
    result = json.loads(capsys.readouterr().out)
    assert result["draft"]["backend"] == "openai" and result["draft"]["status"] == "ready"
    assert [b["model"] for b in yandex.requests] == [f"gpt://{FOLDER}/yandexgpt/latest"] * 2


def test_the_token_factor_benchmark_measures_a_provider(cli_env, giga: FakeGigaChat, giga_server, capsys) -> None:
    _use_gigachat(cli_env, giga_server)
    assert token_factor.main([]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert [line.split()[0] for line in lines[:3]] == ["draft", "classify", "judge"]
    assert "OTKLIK_TOKEN_SAFETY_FACTOR=" in lines[-1]
    assert [r["body"]["max_tokens"] for r in giga.requests] == [16] * 3
