from enum import Enum


class WarningType(str, Enum):
    INPUT_VALIDATION_WARNING = "input_validation_warning"
    SPEC_VALIDATION_WARNING = "spec_validation_warning"
    WARNING = "warning"

    def __str__(self) -> str:
        return str(self.value)
