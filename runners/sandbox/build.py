"""Sandbox images: their names, and building them with or without a registry.

Every image is built by one recipe, `images/Dockerfile`, on its row's base (languages.py), with
the arguments `recipe_args` gives it. An image's tag is a digest of the recipe, the files it
copies, those arguments and what its base is made of, so changing any of them makes `oops setup`
build a new image and the sandbox refuse a stale one.
Each language's version is read once, when its image is built, by running the language's
`version_command` in the base, and kept as a label of the image (`oopsengine.version.<id>`).
"""

from __future__ import annotations

import hashlib
import shutil
import subprocess
import tempfile
from collections.abc import Callable, Iterable
from pathlib import Path

import docker
import msgspec

from runners.sandbox.engine import apt_install
from runners.sandbox.languages import IMAGES, LANGUAGES, REGISTRY_SUPERVISOR, Image, Language
from runners.sandbox.protocol import SANDBOX_UID, WORKDIR
from runners.settings import Settings

IMAGES_DIR = Path(__file__).parent / "images"
DEBIAN_SUITE = "bookworm"
VERSION_LABEL = "oopsengine.version."


def image_name(settings: Settings, lang: Language) -> str:
    """The tag of the sandbox image `lang` runs in, as this version of OopsEngine builds it."""
    return tag_of(settings, IMAGES[lang.image])


def tag_of(settings: Settings, image: Image) -> str:
    """The tag of `image` as this version of OopsEngine builds it."""
    return f"{settings.image_prefix}/{image.name}:{_digest(image)}"


def recipe_args() -> dict[str, str]:
    """The recipe's arguments besides its base: what the supervisor needs, as the host has it."""
    return {
        "SUPERVISOR_PACKAGES": " ".join(REGISTRY_SUPERVISOR),
        "SANDBOX_UID": str(SANDBOX_UID),
        "WORKDIR": WORKDIR,
    }


def _digest(image: Image) -> str:
    """What `image` is made of: the recipe, the files it copies, its arguments and its base."""
    sha = hashlib.sha256()
    for path in (IMAGES_DIR / "Dockerfile", *sorted(IMAGES_DIR.glob("*.py"))):
        sha.update(path.read_bytes())
    sha.update(msgspec.json.encode(recipe_args()))
    sha.update(msgspec.json.encode(image))
    return sha.hexdigest()[:12]


def images_for(names: Iterable[str]) -> list[Image]:
    """The images the named languages run in, each once, in table order."""
    wanted = {LANGUAGES[name].image for name in names}
    return [image for image in IMAGES.values() if image.name in wanted]


def ensure_image(
    client: docker.DockerClient,
    settings: Settings,
    image: Image,
    say: Callable[[str], None],
    offline: bool = False,
) -> str:
    """Build `image` unless it exists, labelled with its languages' versions; returns its tag."""
    name = tag_of(settings, image)
    if _exists(client, name):
        say(f"image {name} already built")
        return name
    base = None if offline else _pull(client, image.base_image, say)
    setup = image.registry_setup if base is not None else ""
    if base is None:
        base = _debian_base(client, settings, image, say)
    labels = _versions(client, base, image)
    client.images.build(
        path=str(IMAGES_DIR),
        dockerfile="Dockerfile",
        tag=name,
        buildargs={"BASE": base, "REGISTRY_SETUP": setup, **recipe_args()},
        labels=labels,
        pull=False,
        rm=True,
        forcerm=True,
    )
    say(f"built image {name} on {base}: {', '.join(labels.values())}")
    _remove_superseded(client, name, say)
    return name


def _versions(client: docker.DockerClient, base: str, image: Image) -> dict[str, str]:
    """Each language of `image` and its version, read by running its version command."""
    labels = {}
    for lang in LANGUAGES.values():
        if lang.image == image.name and lang.version_command:
            output = client.containers.run(
                base,
                list(lang.version_command),
                entrypoint=[],
                network_disabled=True,
                remove=True,
                stdout=True,
                stderr=True,
            )
            first = output.decode(errors="replace").strip().splitlines()[:1]
            labels[f"{VERSION_LABEL}{lang.name}"] = first[0] if first else "unknown"
    return labels


def versions(client: docker.DockerClient, settings: Settings) -> dict[str, str]:
    """Every language whose image is built, and its version as the image's label says."""
    found: dict[str, str] = {}
    for image in IMAGES.values():
        try:
            labels = client.images.get(tag_of(settings, image)).labels or {}
        except docker.errors.ImageNotFound:
            continue
        for key, value in labels.items():
            if key.startswith(VERSION_LABEL):
                found[key.removeprefix(VERSION_LABEL)] = value
    return found


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
    client: docker.DockerClient, settings: Settings, image: Image, say: Callable[[str], None]
) -> str:
    """A base image made from Debian's archive with mmdebstrap, imported into the engine.

    The `essential` variant plus the image's packages (and what they depend on, no
    recommends): no apt, no documentation beyond what the packages ship.
    """
    repository = f"{settings.image_prefix}/{image.name}-base"
    packages = ",".join(image.debian_packages)
    tag = f"{DEBIAN_SUITE}-{hashlib.sha256(packages.encode()).hexdigest()[:8]}"
    name = f"{repository}:{tag}"
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
                f"--include={packages}",
                DEBIAN_SUITE,
                str(rootfs),
            ],
            check=True,
            stdin=subprocess.DEVNULL,
        )
        client.api.import_image_from_file(str(rootfs), repository=repository, tag=tag)
    say(f"imported {name} from Debian {DEBIAN_SUITE} ({', '.join(image.debian_packages)})")
    return name
