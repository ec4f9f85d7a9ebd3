"""Sandbox images: their names, and building them with or without a registry.

An image's tag is a digest of its Dockerfile and the supervisor, so changing either makes
`oops setup` build a new image and the sandbox refuse to run on a stale one.
"""

from __future__ import annotations

import hashlib
import shutil
import subprocess
import tempfile
from collections.abc import Callable
from pathlib import Path

import docker

from runners.sandbox.engine import apt_install
from runners.sandbox.languages import Language
from runners.settings import Settings

IMAGES_DIR = Path(__file__).parent / "images"
DEBIAN_SUITE = "bookworm"


def image_name(settings: Settings, lang: Language) -> str:
    """The tag of the sandbox image for `lang` as this version of OopsEngine builds it."""
    return f"{settings.image_prefix}/{lang.image}:{_digest(lang)}"


def _digest(lang: Language) -> str:
    sha = hashlib.sha256()
    for path in (IMAGES_DIR / lang.image / "Dockerfile", IMAGES_DIR / "supervise.py"):
        sha.update(path.read_bytes())
    return sha.hexdigest()[:12]


def ensure_image(
    client: docker.DockerClient,
    settings: Settings,
    lang: Language,
    say: Callable[[str], None],
    offline: bool = False,
) -> str:
    """Build the sandbox image for `lang` unless it exists; returns its name."""
    name = image_name(settings, lang)
    if _exists(client, name):
        say(f"image {name} already built")
        return name
    base = None if offline else _pull(client, lang.base_image, say)
    if base is None:
        base = _debian_base(client, settings, lang, say)
    client.images.build(
        path=str(IMAGES_DIR),
        dockerfile=f"{lang.image}/Dockerfile",
        tag=name,
        buildargs={"BASE": base},
        pull=False,
        rm=True,
        forcerm=True,
    )
    say(f"built image {name} on {base}")
    _remove_superseded(client, name, say)
    return name


def _remove_superseded(
    client: docker.DockerClient, current: str, say: Callable[[str], None]
) -> None:
    """Delete older builds of the same image; one still used by a container stays."""
    repository = current.rpartition(":")[0]
    for image in client.images.list(name=repository):
        for tag in image.tags:
            if tag != current:
                try:
                    client.images.remove(tag)
                    say(f"removed superseded image {tag}")
                except docker.errors.APIError:
                    pass


def _exists(client: docker.DockerClient, name: str) -> bool:
    try:
        client.images.get(name)
    except docker.errors.ImageNotFound:
        return False
    return True


def _pull(client: docker.DockerClient, reference: str, say: Callable[[str], None]) -> str | None:
    """Pull the base image from a registry, or None when no registry answers."""
    if _exists(client, reference):
        return reference
    try:
        client.images.pull(reference)
    except docker.errors.APIError as error:
        say(f"no registry answers ({error.explanation}); building from Debian packages")
        return None
    say(f"pulled {reference}")
    return reference


def _debian_base(
    client: docker.DockerClient, settings: Settings, lang: Language, say: Callable[[str], None]
) -> str:
    """A base image made from Debian's archive with mmdebstrap, imported into the engine."""
    repository = f"{settings.image_prefix}/{lang.image}-base"
    name = f"{repository}:{DEBIAN_SUITE}"
    if _exists(client, name):
        say(f"base image {name} already imported")
        return name
    if shutil.which("mmdebstrap") is None:
        apt_install(["mmdebstrap"], say)
    with tempfile.TemporaryDirectory(prefix="oops-rootfs-") as scratch:
        rootfs = Path(scratch) / "rootfs.tar"
        # mmdebstrap from PATH, where apt-get installs it; the packages are the language table's.
        subprocess.run(  # noqa: S603
            [  # noqa: S607
                "mmdebstrap",
                "--quiet",
                "--variant=essential",
                f"--include={','.join(lang.debian_packages)}",
                DEBIAN_SUITE,
                str(rootfs),
            ],
            check=True,
            stdin=subprocess.DEVNULL,
        )
        client.api.import_image_from_file(str(rootfs), repository=repository, tag=DEBIAN_SUITE)
    say(f"imported {name} from Debian {DEBIAN_SUITE} ({', '.join(lang.debian_packages)})")
    return name
