"""A writer of OLE compound files (CFB version 3, 512-byte sectors), made in code so no binaries are committed.

Used for legacy Excel files (``hostile_legacy.ole_file``) and Outlook messages (``mail_files.outlook_message``).
olefile reads compound files but cannot make one, so this writes what [MS-CFB] describes: streams of 4,096
bytes or more in sectors of their own, smaller ones in the mini stream (64-byte sectors, with its own
allocation table), a directory whose siblings form a balanced binary tree in the format's name order, the
allocation table (FAT), and the extra master-table (DIFAT) sectors a file needs beyond the header's 109 entries.
"""

from __future__ import annotations

import struct
from collections.abc import Mapping
from dataclasses import dataclass, field

SECTOR = 512
MINI_SECTOR = 64
MINI_CUTOFF = 4096
PER_SECTOR = SECTOR // 4  # sector ids in one FAT sector
FREE, END_OF_CHAIN, FAT_SECTOR, DIFAT_SECTOR = 0xFFFFFFFF, 0xFFFFFFFE, 0xFFFFFFFD, 0xFFFFFFFC
NO_STREAM = 0xFFFFFFFF
MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
STORAGE, STREAM, ROOT = 1, 2, 5


@dataclass
class _Node:
    name: str
    kind: int
    data: bytes = b""
    children: dict[str, _Node] = field(default_factory=dict)
    sid: int = 0
    start: int = END_OF_CHAIN
    left: int = NO_STREAM
    right: int = NO_STREAM
    child: int = NO_STREAM


def compound_file(streams: Mapping[str, bytes]) -> bytes:
    """A compound file holding ``streams``, each named by its path (``"a/b"``: stream ``b`` in storage ``a``);
    the storages on the paths are made as needed."""
    root = _Node("Root Entry", ROOT)
    for path, data in streams.items():
        *folders, name = path.split("/")
        node = root
        for folder in folders:
            node = node.children.setdefault(folder, _Node(folder, STORAGE))
        node.children[name] = _Node(name, STREAM, data)
    nodes = _number(root)
    sectors: list[bytes] = []
    fat: list[int] = []

    def place(data: bytes) -> int:
        """``data`` in consecutive sectors, chained; the first sector's id."""
        if not data:
            return END_OF_CHAIN
        start, count = len(sectors), -(-len(data) // SECTOR)
        sectors.extend(data[i * SECTOR : (i + 1) * SECTOR].ljust(SECTOR, b"\x00") for i in range(count))
        fat.extend([*range(start + 1, start + count), END_OF_CHAIN])
        return start

    small = [n for n in nodes if n.kind == STREAM and len(n.data) < MINI_CUTOFF]
    for node in nodes:
        if node.kind == STREAM and node not in small:
            node.start = place(node.data)
    mini, mini_fat = b"", []
    for node in small:
        if node.data:
            node.start, count = len(mini) // MINI_SECTOR, -(-len(node.data) // MINI_SECTOR)
            mini += node.data.ljust(count * MINI_SECTOR, b"\x00")
            mini_fat.extend([*range(node.start + 1, node.start + count), END_OF_CHAIN])
    root.start, root.data = place(mini), mini
    mini_fat_start = place(_ids(mini_fat))
    directory = b"".join(map(_entry, nodes)) + _EMPTY_ENTRY * (-len(nodes) % (SECTOR // 128))
    directory_start = place(directory)
    fat_count = difat_count = 0
    while fat_count * PER_SECTOR < len(sectors) + fat_count + difat_count:
        fat_count += 1
        difat_count = -(-max(fat_count - 109, 0) // (PER_SECTOR - 1))
    fat_ids = list(range(len(sectors), len(sectors) + fat_count))
    difat_start = len(sectors) + fat_count
    fat += [FAT_SECTOR] * fat_count + [DIFAT_SECTOR] * difat_count
    table = _ids(fat + [FREE] * (fat_count * PER_SECTOR - len(fat)))
    difat = b""
    rest = fat_ids[109:]
    for i in range(difat_count):
        ids = rest[i * (PER_SECTOR - 1) : (i + 1) * (PER_SECTOR - 1)]
        following = difat_start + i + 1 if i + 1 < difat_count else END_OF_CHAIN
        difat += struct.pack(f"<{PER_SECTOR}I", *ids, *[FREE] * (PER_SECTOR - 1 - len(ids)), following)
    header = (
        MAGIC
        + bytes(16)
        + struct.pack("<HHHHH", 0x3E, 3, 0xFFFE, 9, 6)
        + bytes(6)
        + struct.pack(
            "<IIIIIIIII",
            0,
            fat_count,
            directory_start,
            0,
            MINI_CUTOFF,
            mini_fat_start,
            -(-len(mini_fat) // PER_SECTOR),
            difat_start if difat_count else END_OF_CHAIN,
            difat_count,
        )
        + struct.pack("<109I", *fat_ids[:109], *[FREE] * (109 - len(fat_ids[:109])))
    )
    return header + b"".join(sectors) + table + difat


def _ids(ids: list[int]) -> bytes:
    """Sector ids as a table, padded with free entries to whole sectors."""
    return struct.pack(f"<{len(ids)}I", *ids) + struct.pack("<I", FREE) * (-len(ids) % PER_SECTOR)


def _number(root: _Node) -> list[_Node]:
    """Every node, the root first, each numbered by its place; each storage's children in a balanced tree."""
    nodes = [root]
    for node in nodes:  # grows as it goes: breadth first
        kids = sorted(node.children.values(), key=lambda n: (len(n.name), n.name.upper()))
        for kid in kids:
            kid.sid = len(nodes)
            nodes.append(kid)
        node.child = _tree(kids)
    return nodes


def _tree(kids: list[_Node]) -> int:
    """The sid of the middle of ``kids`` (in name order), its halves as its left and right subtrees."""
    if not kids:
        return NO_STREAM
    middle = len(kids) // 2
    top = kids[middle]
    top.left, top.right = _tree(kids[:middle]), _tree(kids[middle + 1 :])
    return top.sid


def _entry(node: _Node) -> bytes:
    name = (node.name + "\x00").encode("utf-16-le")
    return (
        name.ljust(64, b"\x00")
        + struct.pack("<HBB", len(name), node.kind, 1)
        + struct.pack("<III", node.left, node.right, node.child)
        + bytes(16 + 4 + 16)
        + struct.pack("<III", 0 if node.kind == STORAGE else node.start, len(node.data), 0)
    )


_EMPTY_ENTRY = bytes(64 + 4) + struct.pack("<III", NO_STREAM, NO_STREAM, NO_STREAM) + bytes(16 + 4 + 16 + 12)
