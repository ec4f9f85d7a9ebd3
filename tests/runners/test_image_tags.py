"""An image's tag changes with whatever the image is made of, so no host runs a stale one."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path

import msgspec
import pytest

from runners.sandbox import build
from runners.sandbox.languages import IMAGES
from runners.settings import Settings

SETTINGS = Settings()


def appended(name: str) -> Callable[[Path, pytest.MonkeyPatch], None]:
    def change(images: Path, _: pytest.MonkeyPatch) -> None:
        with (images / name).open("a") as handle:
            handle.write("\n# changed\n")

    return change


def argument(name: str, value: object) -> Callable[[Path, pytest.MonkeyPatch], None]:
    def change(_: Path, monkeypatch: pytest.MonkeyPatch) -> None:
        monkeypatch.setattr(build, name, value)

    return change


@pytest.mark.parametrize(
    "change",
    [
        pytest.param(appended("Dockerfile"), id="recipe"),
        pytest.param(appended("supervise.py"), id="supervisor"),
        pytest.param(appended("start.py"), id="starter"),
        pytest.param(argument("SANDBOX_UID", 1000), id="sandbox-uid"),
        pytest.param(argument("WORKDIR", "/work"), id="workdir"),
        pytest.param(argument("REGISTRY_SUPERVISOR", ("tini",)), id="supervisor-packages"),
    ],
)
def test_every_images_tag_changes_with_what_it_is_made_of(
    change: Callable[[Path, pytest.MonkeyPatch], None],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    images = tmp_path / "images"
    shutil.copytree(build.IMAGES_DIR, images, ignore=shutil.ignore_patterns("__pycache__"))
    monkeypatch.setattr(build, "IMAGES_DIR", images)
    before = {build.tag_of(SETTINGS, image) for image in IMAGES.values()}
    change(images, monkeypatch)
    after = {build.tag_of(SETTINGS, image) for image in IMAGES.values()}
    assert before.isdisjoint(after)


@pytest.mark.parametrize(
    "field",
    [
        pytest.param({"base_image": "debian:bookworm"}, id="registry-base"),
        pytest.param({"debian_packages": ("python3-minimal",)}, id="debian-packages"),
        pytest.param({"registry_setup": "true"}, id="registry-setup"),
    ],
)
def test_an_images_tag_changes_with_its_base(field: dict[str, object]) -> None:
    image = IMAGES["gcc"]
    changed = msgspec.structs.replace(image, **field)
    assert build.tag_of(SETTINGS, changed) != build.tag_of(SETTINGS, image)
