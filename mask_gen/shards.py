"""Deterministic shards of a pair list: `--shard K/N` runs anywhere write disjoint parts of one OUT."""

from __future__ import annotations

from collections.abc import Iterable

from localize.common.errors import ConfigError
from mask_gen.datasets.pair import Pair


def parse_shard(text: str) -> tuple[int, int]:
    """'K/N' -> (K, N) with 0 <= K < N."""
    try:
        index, count = (int(x) for x in text.split("/"))
    except ValueError:
        raise ConfigError(f"--shard must look like K/N (e.g. 0/4), got {text!r}") from None
    if not 0 <= index < count:
        hint = f" (shards count from 0: the last of {count} is {count - 1}/{count})" if index == count else ""
        raise ConfigError(f"--shard K/N needs 0 <= K < N, got {text!r}{hint}")
    return index, count


def shard_pairs(pairs: Iterable[Pair], index: int, count: int) -> list[Pair]:
    """The pairs shard `index` of `count` owns: every count-th pair in key order, so shards never overlap."""
    ordered = sorted(pairs, key=lambda pair: pair.key)
    return ordered[index::count]
