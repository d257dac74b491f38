from enum import Enum
from typing import Any


class WarningType(str, Enum):
    INPUT_VALIDATION_WARNING = "input_validation_warning"
    SPEC_VALIDATION_WARNING = "spec_validation_warning"
    WARNING = "warning"

    def __str__(self) -> str:
        return str(self.value)

    @classmethod
    def of(cls, value: Any) -> "WarningType":
        """`WarningType(value)` (ValueError for a value no member has), faster."""
        member = _MEMBERS.get(value) if type(value) is str else None
        return member if member is not None else cls(value)


_MEMBERS: dict[str, WarningType] = {member.value: member for member in WarningType}
