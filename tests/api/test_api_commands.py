"""`otklik keys` and `otklik serve` from the command line."""

from __future__ import annotations

from pathlib import Path

import pytest

from api.db import make_engine, make_sessions
from api.keys import find_caller
from otklik.cli import main


@pytest.fixture
def data_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("OTKLIK_DATA_DIR", str(tmp_path))
    monkeypatch.delenv("OTKLIK_DATABASE_URL", raising=False)
    monkeypatch.delenv("OTKLIK_CHROMA_HOST", raising=False)
    return tmp_path


def test_keys_create_prints_the_key_once_and_revoke_stops_it(data_dir: Path, capsys: pytest.CaptureFixture) -> None:
    assert main(["keys", "create", "--role", "operator", "--brand", "obed-express", "--label", "Ира"]) == 0
    out, err = capsys.readouterr()
    secret = out.strip()
    sessions = make_sessions(make_engine(f"sqlite:///{data_dir / 'otklik.db'}"))
    with sessions() as db:
        caller = find_caller(db, secret)
    assert caller and caller.role == "operator" and caller.brands == {"obed-express"}
    assert f"key {caller.key_id}" in err and "Shown once" in err

    assert main(["keys", "list"]) == 0
    listed = capsys.readouterr().out
    assert caller.key_id in listed and "operator" in listed and secret not in listed
    assert main(["keys", "revoke", caller.key_id]) == 0
    with sessions() as db:
        assert find_caller(db, secret) is None


def test_keys_refuse_a_brandless_operator_and_an_unknown_id(data_dir: Path, capsys: pytest.CaptureFixture) -> None:
    assert main(["keys", "create", "--role", "operator"]) == 1
    assert "at least one --brand" in capsys.readouterr().err
    assert main(["keys", "revoke", "deadbeef"]) == 1
    assert "no key with id 'deadbeef'" in capsys.readouterr().err


def test_serve_refuses_several_workers_on_embedded_chroma(data_dir: Path, capsys: pytest.CaptureFixture) -> None:
    assert main(["serve", "--workers", "3"]) == 1
    message = capsys.readouterr().err
    assert "--workers 3 needs a Chroma server" in message and "OTKLIK_CHROMA_HOST" in message
