from enum import Enum
from typing import Any


class ParallelBetaType0(str, Enum):
    EVENTS_SSE_2025_07_24 = "events-sse-2025-07-24"
    FIELD_BASIS_2025_11_25 = "field-basis-2025-11-25"
    FINDALL_2025_09_15 = "findall-2025-09-15"
    MCP_SERVER_2025_07_17 = "mcp-server-2025-07-17"
    SEARCH_EXTRACT_2025_10_10 = "search-extract-2025-10-10"
    WEBHOOK_2025_08_12 = "webhook-2025-08-12"

    def __str__(self) -> str:
        return str(self.value)

    @classmethod
    def of(cls, value: Any) -> "ParallelBetaType0":
        """`ParallelBetaType0(value)` (ValueError for a value no member has), faster."""
        member = _MEMBERS.get(value) if type(value) is str else None
        return member if member is not None else cls(value)


_MEMBERS: dict[str, ParallelBetaType0] = {member.value: member for member in ParallelBetaType0}
