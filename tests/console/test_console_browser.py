"""The console in a real browser: Playwright drives Debian's Chromium against `otklik serve` on
127.0.0.1, over a data directory made with `otklik ingest` and `otklik keys create`.

These tests fail, never skip, when /usr/bin/chromium is missing: `.ci/run` installs it.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from playwright.sync_api import Browser, Page, expect, sync_playwright

from tests.conftest import BRANDS_DIR
from tests.serving import Server, otklik

pytestmark = pytest.mark.browser
CHROMIUM = Path("/usr/bin/chromium")
LAUNCH = {"executable_path": str(CHROMIUM), "args": ["--headless", "--no-sandbox", "--disable-gpu"]}
OBED, KEDR = "obed-express", "kedr-bank"
TIMEOUT_MS = 60_000  # generous: the machine is shared; nothing here asserts a duration
NEGATIVE = "Заказ №{n} привезли через два часа вместо сорока минут, суп совсем холодный. Верните деньги за доставку!"


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Server, dict[str, str]]]:
    """A server and a key per user: an operator of each brand, obed-express's brand owner."""
    data = tmp_path_factory.mktemp("otklik-console")
    otklik(data, "ingest", str(BRANDS_DIR))
    keys = {
        name: otklik(data, "keys", "create", "--role", role, "--brand", brand, "--label", name).strip()
        for name, role, brand in (
            ("obed", "operator", OBED),
            ("kedr", "operator", KEDR),
            ("owner", "brand_owner", OBED),
        )
    }
    server = Server(data)
    yield server, keys
    server.stop()


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    assert CHROMIUM.exists(), "Debian's Chromium is missing: apt-get install chromium (.ci/run does)"
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(**LAUNCH)
        yield launched
        launched.close()


def signed_in(browser: Browser, url: str, key: str) -> Page:
    page = browser.new_context(viewport={"width": 1366, "height": 900}).new_page()
    page.set_default_timeout(TIMEOUT_MS)
    page.on("dialog", lambda dialog: dialog.accept())  # the confirm dialogs of regenerate and reject
    page.goto(f"{url}/console/?lang=en")
    page.fill("#api_key", key)
    page.click("button[type=submit]")
    expect(page.locator("h1")).to_contain_text("Inbox")
    return page


def paste_negative(page: Page, url: str, number: int) -> str:
    """Paste a complaint; the mention page it lands on, drafted; returns the mention id."""
    page.goto(f"{url}/console/paste")
    page.select_option("select[name=brand]", OBED)
    page.select_option("select[name=platform]", "vk")
    page.fill("input[name=author_name]", "Ирина Соколова")
    page.fill("textarea[name=text]", NEGATIVE.format(n=number))
    page.click("#paste-form button[type=submit]")
    page.wait_for_url(re.compile(r"/console/mentions/[0-9a-f]+$"))
    return page.url.rsplit("/", 1)[1]


def test_an_operator_pastes_edits_and_approves_and_the_reply_joins_the_knowledge(browser: Browser, served) -> None:
    server, keys = served
    page = signed_in(browser, server.url, keys["obed"])
    mention_id = paste_negative(page, server.url, 48301)
    expect(page.locator(".badge.sentiment-negative").first).to_be_visible()
    expect(page.locator("#draft-text")).to_have_value(re.compile(r"OE-"))  # the draft names its case
    expect(page.locator('[data-check="forbidden_words"]')).to_have_class(re.compile("pass"))
    edited = "Ирина, простите нас за холодный суп и долгую доставку заказа 48301. Вернём деньги за доставку: напишите нам в личные сообщения."
    page.fill("#draft-text", edited)
    page.click("text=Save edit")
    expect(page.locator("#draft-text")).to_have_value(edited)
    page.click("button.primary:has-text('Approve')")
    expect(page.locator("#reply-text")).to_have_text(edited)
    expect(page.locator(".badge.status-approved")).to_be_visible()
    replies = httpx.get(
        f"{server.url}/brands/{OBED}/approved-replies",
        params={"source": "service"},
        headers={"Authorization": f"Bearer {keys['obed']}"},
        timeout=60,
    ).json()["data"]
    assert any(r["id"] == f"svc-{mention_id}" and "Вернём деньги за доставку" in r["reply"] for r in replies)


def test_an_operator_of_one_brand_cannot_open_another_brands_mention(browser: Browser, served) -> None:
    server, keys = served
    theirs = signed_in(browser, server.url, keys["obed"])
    mention_id = paste_negative(theirs, server.url, 48302)
    page = signed_in(browser, server.url, keys["kedr"])
    response = page.goto(f"{server.url}/console/mentions/{mention_id}")
    assert response is not None and response.status == 403
    expect(page.locator("h1")).to_contain_text("403")
    assert OBED not in page.content() and "Ирина" not in page.content()


def test_a_brand_owner_forbids_a_word_and_the_next_draft_respects_it(browser: Browser, served) -> None:
    server, keys = served
    operator = signed_in(browser, server.url, keys["obed"])
    paste_negative(operator, server.url, 48303)
    draft = operator.locator("#draft-text").input_value().lower()
    word = next(w for w in ("жаль", "прости", "извини") if w in draft)  # the regret phrase this mention got

    owner = signed_in(browser, server.url, keys["owner"])
    owner.goto(f"{server.url}/console/brands/{OBED}")
    owner.click("details:has(#voice) > summary")
    words = owner.locator('#voice textarea[name="languages.ru.avoid_words"]')
    words.fill(f"{words.input_value()}\n{word}")
    owner.click("#voice button.primary")
    expect(owner.locator(".notice")).to_be_visible()

    with operator.expect_navigation():
        operator.click("button:has-text('Regenerate')")
    expect(operator.locator("#draft-text")).not_to_have_value(re.compile(word, re.IGNORECASE))
    expect(operator.locator('[data-check="forbidden_words"]')).to_have_class(re.compile("pass"))
