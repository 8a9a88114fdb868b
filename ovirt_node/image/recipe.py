"""The image recipe (`ovirt_node/data/image/recipe.toml` plus the files beside it) and the keys the image
cache is indexed by.

Two cache levels: the Debian root (mmdebstrap, the slow part) is keyed by what goes into it —
suite, sources, packages, path filters; the finished image by that, the project's own source
(the wheel installed into it), the image files of the recipe and the stamped version. A code
change then costs a copy and a squashfs, not a new debootstrap.
"""

from __future__ import annotations

import hashlib
import json
import os
import tomllib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from pathlib import Path

from ovirt_node import __version__
from ovirt_node.core.plugin_packages import wheel_packages
from ovirt_node.core.resources import package_data
from ovirt_node.installer.image import ImageVersion, parse_version

#: Bumped when the build process itself changes what a recipe produces.
BUILD_FORMAT = "2"  # 2: initramfs-tools in the root lists its modules (build.INITRAMFS_HOOK)
MIRROR_ENV = "OVIRT_NODE_MIRROR"
DEFAULT_MIRROR = "http://deb.debian.org"


def recipe_dir() -> Path:
    """The shipped recipe (ovirt_node/data/image)."""
    return package_data() / "image"


class RecipeError(ValueError):
    """The recipe cannot be used; the message names the file and the field."""


@dataclass(frozen=True)
class Recipe:
    directory: Path
    version: ImageVersion
    label: str
    suite: str
    variant: str
    sources: tuple[str, ...]
    packages: tuple[str, ...]
    python_from_debian: tuple[str, ...]
    path_exclude: tuple[str, ...]
    path_include: tuple[str, ...]
    modules: tuple[str, ...]

    @property
    def files(self) -> Path:
        """The tree copied over the image's root (units, scripts, settings)."""
        return self.directory / "files"

    @property
    def initramfs(self) -> Path:
        """The initramfs' own files (its /init)."""
        return self.directory / "initramfs"


def _strings(table: Mapping[str, object], key: str, where: str) -> tuple[str, ...]:
    value = table.get(key, [])
    if not isinstance(value, list) or not all(isinstance(v, str) and v for v in value):
        raise RecipeError(f"{where}: {key} must be a list of non-empty strings")
    return tuple(value)


def _string(table: Mapping[str, object], key: str, where: str) -> str:
    value = table.get(key)
    if not isinstance(value, str) or not value:
        raise RecipeError(f"{where}: {key} must be a non-empty string")
    return value


def _table(data: Mapping[str, object], key: str, where: str) -> Mapping[str, object]:
    value = data.get(key)
    if not isinstance(value, dict):
        raise RecipeError(f"{where}: missing [{key}]")
    return value


def mirrored(sources: Iterable[str], mirror: str | None) -> tuple[str, ...]:
    """The sources with the default mirror replaced by `mirror` (None: unchanged)."""
    if not mirror:
        return tuple(sources)
    return tuple(line.replace(DEFAULT_MIRROR, mirror.rstrip("/")) for line in sources)


def load(directory: Path, mirror: str | None = None) -> Recipe:
    """The recipe in `directory` (RecipeError naming the problem); the mirror defaults to
    $OVIRT_NODE_MIRROR."""
    path = directory / "recipe.toml"
    try:
        data = tomllib.loads(path.read_text())
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise RecipeError(f"{path}: {exc}") from exc
    where = str(path)
    product = _table(data, "product", where)
    debian = _table(data, "debian", where)
    initramfs = _table(data, "initramfs", where)
    # The version is the package's own (ovirt_node.__version__), set in one place only.
    version = ImageVersion(_string(product, "name", where), __version__, _string(product, "release", where))
    return Recipe(
        directory=directory,
        version=version,
        label=_string(product, "label", where),
        suite=_string(debian, "suite", where),
        variant=_string(debian, "variant", where),
        sources=mirrored(_strings(debian, "sources", where), mirror or os.environ.get(MIRROR_ENV)),
        packages=_strings(debian, "packages", where),
        python_from_debian=_strings(debian, "python_from_debian", where),
        path_exclude=_strings(debian, "path_exclude", where),
        path_include=_strings(debian, "path_include", where),
        modules=_strings(initramfs, "modules", where),
    )


def stamped(recipe: Recipe, version: str | None = None, release: str | None = None) -> Recipe:
    """The recipe with another version and/or release stamped on it (upgrade tests)."""
    for name, value in (("version", version), ("release", release)):
        if value is not None and (not value or any(c.isspace() or c in "=\"'" for c in value)):
            raise RecipeError(f"--{name} {value!r}: expected a word such as 4.1.0 (no spaces, quotes or '=')")
    new = replace(recipe.version, version=version or recipe.version.version,
                  release=release or recipe.version.release)
    return replace(recipe, version=new)


def with_plugins(recipe: Recipe, wheels: Iterable[Path]) -> Recipe:
    """The recipe with the Debian packages the plugin wheels declare added to its package list
    (so to mmdebstrap's and to the root's cache key); PackageError for a bad wheel."""
    extra = [name for wheel in wheels for name in wheel_packages(wheel)]
    return replace(recipe, packages=tuple(dict.fromkeys([*recipe.packages, *extra])))


def version_text(version: ImageVersion) -> str:
    """The image's `version` file (KEY=value lines, read back by installer.image.parse_version)."""
    text = f"NAME={version.name}\nVERSION={version.version}\nRELEASE={version.release}\n"
    assert parse_version(text) == version  # the installer must read back what is stamped
    return text


def tree_digest(paths: Iterable[Path], base: Path) -> str:
    """sha256 over the files under `paths` (names relative to `base`, modes and contents), in a
    stable order; caches and compiled files are left out."""
    digest = hashlib.sha256()
    files: list[Path] = []
    for path in paths:
        if path.is_file():
            files.append(path)
        elif path.is_dir():
            files += [p for p in path.rglob("*") if p.is_file() or p.is_symlink()]
    for file in sorted(set(files)):
        rel = file.relative_to(base).as_posix()
        if "__pycache__" in rel.split("/") or rel.endswith((".pyc", ".pyo")) or ".egg-info/" in rel:
            continue
        digest.update(rel.encode() + b"\0")
        if file.is_symlink():
            digest.update(b"L" + os.readlink(file).encode())
        else:
            digest.update(oct(file.stat().st_mode & 0o7777).encode() + file.read_bytes())
        digest.update(b"\0")
    return digest.hexdigest()


def _json_digest(value: object) -> str:
    return hashlib.sha256(json.dumps(value, sort_keys=True, separators=(",", ":")).encode()).hexdigest()


def base_key(recipe: Recipe) -> str:
    """The Debian root's cache key: what mmdebstrap is given."""
    return _json_digest({
        "format": BUILD_FORMAT, "suite": recipe.suite, "variant": recipe.variant, "sources": recipe.sources,
        "packages": sorted(recipe.packages), "exclude": recipe.path_exclude, "include": recipe.path_include,
    })[:16]


def image_key(recipe: Recipe, source_digest: str, plugins: Iterable[Path] = ()) -> str:
    """The finished image's cache key (`~/.cache/ovirt-node/images/<key>`): the root, the
    project source, the recipe's own files and modules, the stamped version, and the content
    of the plugin wheels installed with it (an image without plugins keeps its key)."""
    fields: dict[str, object] = {
        "base": base_key(recipe), "source": source_digest, "label": recipe.label,
        "modules": recipe.modules, "python_from_debian": sorted(recipe.python_from_debian),
        "files": tree_digest([recipe.files, recipe.initramfs], recipe.directory),
        "version": [recipe.version.name, recipe.version.version, recipe.version.release],
    }
    wheels = sorted(hashlib.sha256(wheel.read_bytes()).hexdigest() for wheel in plugins)
    if wheels:
        fields["plugins"] = wheels
    return _json_digest(fields)[:16]


def source_paths(project: Path) -> list[Path]:
    """What the project wheel is made of (its data, ovirt_node/data, included)."""
    return [project / "pyproject.toml", project / "ovirt_node"]


def source_digest(project: Path) -> str:
    return tree_digest(source_paths(project), project)
