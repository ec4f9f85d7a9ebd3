"""Debian's Chromium, headless, driven by Playwright, for the web pages' tests.

Playwright drives the Chromium that `make test` installs from Debian (`/usr/bin/chromium`);
it never downloads a browser of its own. Each browser gets a fresh profile, records every
request it makes, and saves a screenshot of each page it is asked to, under `out/screenshots`.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import BrowserContext, Page, sync_playwright

CHROMIUM = Path("/usr/bin/chromium")
SCREENSHOTS = Path(__file__).parents[2] / "out" / "screenshots"
ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


class Browser:
    """One headless Chromium profile: a page, every URL it requested, and screenshots."""

    def __init__(self, context: BrowserContext, base_url: str, prefix: str) -> None:
        self.context = context
        self.base_url = base_url
        self.prefix = prefix
        self.requested: list[str] = []
        context.on("request", lambda request: self.requested.append(request.url))
        self.page: Page = context.pages[0] if context.pages else context.new_page()
        self.page.set_default_timeout(30_000)

    def open(self, path: str) -> Page:
        """Go to a path of the gateway and wait until the page has loaded."""
        self.page.goto(self.base_url + path)
        return self.page

    def shot(self, name: str) -> None:
        """Save the whole page as `out/screenshots/<prefix>-<name>.png`."""
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        self.page.screenshot(path=SCREENSHOTS / f"{self.prefix}-{name}.png", full_page=True)

    def other_hosts(self) -> set[str]:
        """Every host other than the gateway's that any request went to."""
        own = urlsplit(self.base_url).netloc
        return {urlsplit(url).netloc for url in self.requested if urlsplit(url).netloc != own}


@contextmanager
def chromium(profile: Path, base_url: str, prefix: str) -> Iterator[Browser]:
    """Debian's Chromium with a fresh profile in `profile`; fails saying how to install it."""
    if not CHROMIUM.exists():
        pytest.fail("no /usr/bin/chromium: run `make test` (it installs Debian's chromium)")
    with sync_playwright() as playwright:
        context = playwright.chromium.launch_persistent_context(
            user_data_dir=str(profile),
            executable_path=str(CHROMIUM),
            headless=True,
            args=ARGS,
            viewport={"width": 1280, "height": 900},
            accept_downloads=True,
        )
        try:
            yield Browser(context, base_url, prefix)
        finally:
            context.close()
