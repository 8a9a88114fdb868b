"""`ovirt-node-image`: build the node image and its boot media, or make a new image with a
plugin added (3.x's edit-node).

    ovirt-node-image build [--plugin WHEEL]... [--version V] [--release R] [--out DIR]
    ovirt-node-image edit IMAGE [--add-plugin WHEEL] [--add-file SRC:DEST] [--version V] --out DIR

A plugin wheel brings the Debian packages its metadata declares (docs/plugins.md): `build`
adds them to the root mmdebstrap makes, `edit` installs them with apt into the image's root.

`build` prints the image directory (in the cache, ~/.cache/ovirt-node/images/<key>/) as the
last line of its output; with `--out` the files are also linked there. Exit status: 0 done,
1 a build step failed, 2 bad input (the message says why).
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

from ovirt_node.cli.common import console_parser, setup_logging
from ovirt_node.core.plugin_packages import PackageError
from ovirt_node.core.run import CommandError, Runner
from ovirt_node.image import build as image_build
from ovirt_node.image import edit as image_edit
from ovirt_node.image.apt import AptError
from ovirt_node.image.recipe import RecipeError, load, recipe_dir, stamped, with_plugins
from ovirt_node.installer.image import ImageError
from ovirt_node.installer.secureboot import SignedLoaderMissing


def build_parser() -> argparse.ArgumentParser:
    parser = console_parser("ovirt-node-image", __doc__.splitlines()[0])
    parser.add_argument("--debug", action="store_true", help="log every command to stderr")
    sub = parser.add_subparsers(dest="command", required=True)
    make = sub.add_parser("build", help="build the image and the ISO from the recipe (cached)")
    make.add_argument("--recipe", metavar="DIR",
                      help="the recipe directory (default: the package's ovirt_node/data/image)")
    make.add_argument("--mirror", metavar="URL", help="the Debian mirror (default: $OVIRT_NODE_MIRROR or the "
                      "recipe's)")
    make.add_argument("--plugin", metavar="WHEEL", action="append", default=[],
                      help="a plugin wheel to install, with the Debian packages it declares (repeatable)")
    edit = sub.add_parser("edit", help="a new image from IMAGE with a plugin wheel installed")
    edit.add_argument("image", metavar="IMAGE", help="an image directory or its .iso")
    edit.add_argument("--add-file", metavar="SRC:DEST", action="append", default=[],
                      help="put the file SRC at DEST in the image (replacing what is there; repeatable)")
    edit.add_argument("--add-plugin", metavar="WHEEL", action="append", default=[],
                      help="a plugin wheel to install, with the Debian packages it declares (repeatable)")
    for each in (make, edit):
        each.add_argument("--version", help="stamp this version instead of the recipe's (upgrade tests)")
        each.add_argument("--release", help="stamp this release instead of the recipe's")
        each.add_argument("--out", metavar="DIR", help="also put the image files and the ISO here")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    setup_logging(args.debug)
    runner = Runner()
    try:
        if args.command == "build":
            project = image_build.project_root()
            recipe = stamped(load(Path(args.recipe) if args.recipe else recipe_dir(), args.mirror),
                             args.version, args.release)
            plugins = tuple(Path(w) for w in args.plugin)
            recipe = with_plugins(recipe, plugins)
            builder = image_build.Builder(recipe, project, image_build.cache_root(), runner, plugins=plugins)
            result = builder.build()
        else:
            if not args.out:
                parser.error("edit needs --out DIR (the new image)")
            files = [image_edit.parse_added_file(spec) for spec in args.add_file]
            result = image_edit.add_plugins(Path(args.image), [Path(w) for w in args.add_plugin], Path(args.out),
                                            runner, args.version, args.release, files)
        if args.out and Path(args.out).resolve() != result.resolve():
            image_build.export(result, Path(args.out))
            result = Path(args.out)
    except (RecipeError, ImageError, image_edit.EditError, PackageError, AptError) as exc:
        print(f"ovirt-node-image: {exc}", file=sys.stderr)
        return 2
    except (CommandError, SignedLoaderMissing) as exc:
        print(f"ovirt-node-image: a build step failed: {exc}", file=sys.stderr)
        return 1
    print(result)
    return 0


if __name__ == "__main__":
    sys.exit(main())
