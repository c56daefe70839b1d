"""A scripted Yandex AI Studio OpenAI-compatible endpoint on 127.0.0.1 (stdlib only).

What Yandex documents and this fake checks before the scripted OpenAI answer: the key in
`Authorization: Api-Key <API key>` (a service account's key) or `Authorization: Bearer <IAM
token>`, else 401; the model as a URI `gpt://<folder ID>/<model>/<version>` in the key's
folder (`yandexgpt` or `yandexgpt-lite`; `latest`, `rc` or `deprecated`), else 404.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from tests.fake_openai_server import FakeOpenAI

MODEL_URI = re.compile(r"gpt://(?P<folder>[a-z0-9]+)/(?P<model>yandexgpt|yandexgpt-lite)/(latest|rc|deprecated)")


@dataclass
class FakeYandex(FakeOpenAI):
    api_key: str = ""
    iam_token: str = ""
    folder_id: str = ""

    def answer(self, body: dict[str, Any], headers: dict[str, str]) -> tuple[int, dict[str, Any], float]:
        problem = self._problem(body, headers)
        if problem is None:
            return super().answer(body, headers)
        with self._lock:
            self.requests.append(body)
            self.headers.append(headers)
        status, message = problem
        return status, {"error": {"message": message, "type": "yandex", "code": status}}, 0.0

    def _problem(self, body: dict[str, Any], headers: dict[str, str]) -> tuple[int, str] | None:
        accepted = {f"Api-Key {self.api_key}", f"Bearer {self.iam_token}"} - {"Api-Key ", "Bearer "}
        if headers.get("authorization") not in accepted:
            return 401, "The API key or IAM token is invalid"
        match = MODEL_URI.fullmatch(str(body.get("model")))
        if not match or match["folder"] != self.folder_id:
            return 404, f"Model {body.get('model')} not found in the folder"
        return None
