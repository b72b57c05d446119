"""RFC 6962 / RFC 9162 Merkle tree over the ledger's event hashes.

A leaf is ``SHA-256(0x00 || event hash)``, a node ``SHA-256(0x01 || left || right)``; the
empty tree's root is ``SHA-256("")``. :class:`Tree` keeps every complete aligned subtree, so
appending and the root at any size cost O(log n); the proofs are RFC 6962's ``PATH``
(inclusion) and ``PROOF`` (consistency), checked by RFC 9162's algorithms.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Sequence

__all__ = [
    "Tree",
    "leaf_hash",
    "node_hash",
    "verify_consistency",
    "verify_inclusion",
]

EMPTY_ROOT = hashlib.sha256(b"").digest()


def leaf_hash(entry_hash_hex: str) -> bytes:
    return hashlib.sha256(b"\x00" + bytes.fromhex(entry_hash_hex)).digest()


def node_hash(left: bytes, right: bytes) -> bytes:
    return hashlib.sha256(b"\x01" + left + right).digest()


def _split(size: int) -> int:
    """The largest power of two smaller than ``size`` (``size`` > 1)."""
    return 1 << ((size - 1).bit_length() - 1)


class Tree:
    """The leaves and every complete, aligned subtree's hash (``levels[k][i]`` covers leaves
    ``i*2**k .. (i+1)*2**k - 1``)."""

    def __init__(self, leaves: Iterable[bytes] = ()) -> None:
        self.levels: list[list[bytes]] = [[]]
        for leaf in leaves:
            self.append(leaf)

    @property
    def size(self) -> int:
        return len(self.levels[0])

    def append(self, leaf: bytes) -> None:
        self.levels[0].append(leaf)
        k = 0
        while len(self.levels[k]) % 2 == 0:
            if len(self.levels) == k + 1:
                self.levels.append([])
            level = self.levels[k]
            self.levels[k + 1].append(node_hash(level[-2], level[-1]))
            k += 1

    def truncate(self, size: int) -> None:
        """Drop every leaf from ``size`` on."""
        for k, level in enumerate(self.levels):
            del level[size >> k :]

    def _mth(self, start: int, end: int) -> bytes:
        size = end - start
        if size == 1:
            return self.levels[0][start]
        if size & (size - 1) == 0 and start % size == 0:
            k = size.bit_length() - 1
            return self.levels[k][start >> k]
        k = _split(size)
        return node_hash(self._mth(start, start + k), self._mth(start + k, end))

    def root(self, size: int | None = None) -> bytes:
        """The root of the first ``size`` leaves (default: all)."""
        size = self.size if size is None else size
        if not 0 <= size <= self.size:
            raise ValueError(f"the tree has {self.size} leaves, not {size}")
        return EMPTY_ROOT if size == 0 else self._mth(0, size)

    def inclusion(self, index: int, size: int) -> list[bytes]:
        """RFC 6962 PATH: the audit path of leaf ``index`` (0-based) in the tree of ``size``."""
        if not 0 <= index < size <= self.size:
            raise ValueError(f"no leaf {index} in a tree of {size}")

        def path(m: int, start: int, end: int) -> list[bytes]:
            n = end - start
            if n == 1:
                return []
            k = _split(n)
            if m < k:
                return [*path(m, start, start + k), self._mth(start + k, end)]
            return [*path(m - k, start + k, end), self._mth(start, start + k)]

        return path(index, 0, size)

    def consistency(self, old: int, new: int) -> list[bytes]:
        """RFC 6962 PROOF: that the tree of ``new`` leaves extends the tree of ``old``."""
        if not 0 <= old <= new <= self.size:
            raise ValueError(f"no consistency proof from {old} to {new} (size {self.size})")
        if old in (0, new):
            return []

        def sub(m: int, start: int, end: int, whole: bool) -> list[bytes]:
            n = end - start
            if m == n:
                return [] if whole else [self._mth(start, end)]
            k = _split(n)
            if m <= k:
                return [*sub(m, start, start + k, whole), self._mth(start + k, end)]
            return [*sub(m - k, start + k, end, False), self._mth(start, start + k)]

        return sub(old, 0, new, True)


def verify_inclusion(
    index: int, size: int, leaf: bytes, proof: Sequence[bytes], root: bytes
) -> bool:
    """RFC 9162 2.1.3.2: does ``proof`` put ``leaf`` at ``index`` of the tree with ``root``?"""
    if not 0 <= index < size:
        return False
    fn, sn, r = index, size - 1, leaf
    for p in proof:
        if sn == 0:
            return False
        if fn & 1 or fn == sn:
            r = node_hash(p, r)
            while not fn & 1 and fn != 0:
                fn >>= 1
                sn >>= 1
        else:
            r = node_hash(r, p)
        fn >>= 1
        sn >>= 1
    return sn == 0 and r == root


def verify_consistency(
    old: int, new: int, old_root: bytes, new_root: bytes, proof: Sequence[bytes]
) -> bool:
    """RFC 9162 2.1.4.2: does ``proof`` show the tree (``new``, ``new_root``) extends
    (``old``, ``old_root``)?"""
    if not 0 <= old <= new:
        return False
    if old == new:
        return old_root == new_root and not proof
    if old == 0:
        return old_root == EMPTY_ROOT and not proof
    path = list(proof)
    if old & (old - 1) == 0:
        path = [old_root, *path]
    if not path:
        return False
    fn, sn = old - 1, new - 1
    while fn & 1:
        fn >>= 1
        sn >>= 1
    fr = sr = path[0]
    for c in path[1:]:
        if sn == 0:
            return False
        if fn & 1 or fn == sn:
            fr = node_hash(c, fr)
            sr = node_hash(c, sr)
            while not fn & 1 and fn != 0:
                fn >>= 1
                sn >>= 1
        else:
            sr = node_hash(sr, c)
        fn >>= 1
        sn >>= 1
    return fr == old_root and sr == new_root and sn == 0
