"""Dataset adapters: each reads one public layout and yields Pair(fake, real, ...)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

from localize.common.errors import DatasetError
from mask_gen.datasets import celebdf, dfdc, ffpp, generic
from mask_gen.datasets.pair import Pair, hash_split, split_of

ADAPTERS: dict[str, tuple[Callable[[Path], bool], Callable[[Path], Iterator[Pair]]]] = {
    "ffpp": (ffpp.detect, ffpp.iter_pairs),
    "celebdf": (celebdf.detect, celebdf.iter_pairs),
    "dfdc": (dfdc.detect, dfdc.iter_pairs),
    "generic": (generic.detect, generic.iter_pairs),
}


def detect_layout(root: str | Path) -> str:
    """Name of the layout `root` follows, trying the most specific first."""
    root = Path(root)
    if not root.exists():
        raise DatasetError("not found", root)
    for name, (detect, _) in ADAPTERS.items():
        if detect(root):
            return name
    raise DatasetError(f"no known dataset layout ({', '.join(ADAPTERS)})", root)


def load_pairs(root: str | Path, layout: str = "auto") -> list[Pair]:
    """All pairs of a dataset, in a stable order."""
    root = Path(root)
    name = detect_layout(root) if layout == "auto" else layout
    if name not in ADAPTERS:
        raise DatasetError(f"unknown layout {name!r}; choose from auto, {', '.join(ADAPTERS)}")
    pairs = list(ADAPTERS[name][1](root))
    seen: dict[str, Pair] = {}
    for pair in pairs:
        if pair.key in seen:
            raise DatasetError(
                f"{pair.fake or pair.real} is listed twice (also with {seen[pair.key].real})", root
            )
        seen[pair.key] = pair
    return pairs


__all__ = ["ADAPTERS", "Pair", "detect_layout", "hash_split", "load_pairs", "split_of"]
