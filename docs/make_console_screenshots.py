"""Screenshot the web console at a laptop's 1366×900: docs/console-inbox.png, docs/console-mention.png.

    .venv/bin/python docs/make_console_screenshots.py [--chromium /usr/bin/chromium]

Starts `otklik serve` over a temporary data directory (`otklik ingest`, an admin key), sends a
few mentions through the API, makes one case overdue, and signs in to the console in Chromium.
Needs the `playwright` package (the dev extras) and a Chromium (Debian: `apt-get install chromium`).
"""

from __future__ import annotations

import argparse
import sqlite3
import sys
import tempfile
from datetime import UTC, datetime, timedelta
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

import httpx  # noqa: E402
from playwright.sync_api import Page, sync_playwright  # noqa: E402

from tests.conftest import BRANDS_DIR  # noqa: E402
from tests.serving import Server, otklik  # noqa: E402  (the tests' `otklik serve` harness)

MENTIONS = [
    ("obed-express", "vk", "Ирина Соколова", "Заказ №48213 привезли через два часа вместо сорока минут, суп холодный. Верните деньги за доставку!"),
    ("obed-express", "yandex_maps", "Павел", "Курьер Алексей приехал раньше времени, всё горячее, спасибо! Буду заказывать ещё."),
    ("obed-express", "telegram", "Марина К.", "Подскажите, можно ли оплатить заказ картой курьеру при получении?"),
    ("kedr-bank", "otzovik", "Сергей", "Третий день не могу перевести деньги через приложение, в чате поддержки отвечает робот. Что за сервис?"),
    ("obed-express", "2gis", "Олег", "Уже второй раз перепутали заказ: вместо борща привезли солянку, а хлеб вообще забыли."),
]  # fmt: skip


def seed(server: Server, key: str, data_dir: Path) -> str:
    """Send the mentions; the first one's case is made overdue. Returns the first mention's id."""
    headers = {"Authorization": f"Bearer {key}"}
    ids = []
    for brand, platform, author, text in MENTIONS:
        body = {"brand": brand, "platform": platform, "author_name": author, "text": text}
        response = httpx.post(f"{server.url}/mentions", json=body, headers=headers, timeout=120)
        response.raise_for_status()
        ids.append(response.json()["id"])
    with sqlite3.connect(data_dir / "otklik.db") as db:  # the first complaint waited too long
        late = (datetime.now(UTC) - timedelta(hours=3)).replace(tzinfo=None).isoformat(sep=" ")
        db.execute("UPDATE cases SET due_at = ? WHERE mention_id = ?", (late, ids[0]))
    return ids[0]


def sign_in(page: Page, url: str, key: str) -> None:
    page.goto(f"{url}/console/?lang=en")
    page.fill("#api_key", key)
    page.click("button[type=submit]")
    page.wait_for_selector("table.inbox")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--chromium", default="/usr/bin/chromium")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        data_dir = Path(tmp)
        otklik(data_dir, "ingest", str(BRANDS_DIR))
        key = otklik(data_dir, "keys", "create", "--role", "admin", "--label", "screenshots").strip()
        server = Server(data_dir)
        try:
            first = seed(server, key, data_dir)
            shoot(server.url, key, first, args.chromium)
        finally:
            server.stop()


def shoot(url: str, key: str, mention_id: str, chromium: str) -> None:
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=chromium, args=["--headless", "--no-sandbox", "--disable-gpu"]
        )
        page = browser.new_page(viewport={"width": 1366, "height": 900})
        sign_in(page, url, key)
        page.screenshot(path=REPO / "docs" / "console-inbox.png")
        page.goto(f"{url}/console/mentions/{mention_id}")
        page.screenshot(path=REPO / "docs" / "console-mention.png", full_page=True)
        browser.close()
    print("wrote docs/console-inbox.png and docs/console-mention.png")


if __name__ == "__main__":
    main()
