"""A compact, exact set of the videos a viewer has been shown or has watched.

A Roaring bitmap keeps thousands of ids in a few kilobytes and serialises to bytes for the
database; membership is a constant-time check.
"""

from collections.abc import Iterable

from pyroaring import BitMap64


class SeenSet:
    __slots__ = ("_bits",)

    def __init__(self, ids: Iterable[int] = ()) -> None:
        self._bits = BitMap64(ids)

    def add(self, item_id: int) -> None:
        self._bits.add(item_id)

    def update(self, ids: Iterable[int]) -> None:
        self._bits.update(ids)

    def __contains__(self, item_id: object) -> bool:
        return isinstance(item_id, int) and 0 <= item_id < 2**64 and item_id in self._bits

    def __len__(self) -> int:
        return len(self._bits)

    def to_bytes(self) -> bytes:
        return bytes(self._bits.serialize())

    @classmethod
    def from_bytes(cls, data: bytes | None) -> "SeenSet":
        seen = cls()
        if data:
            seen._bits = BitMap64.deserialize(data)
        return seen
