"""Settings of one emulator process."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Optional, Tuple

DEFAULT_TIME_SCALE = 0.01
DEFAULT_RATE_LIMIT_PER_MINUTE = 2000
DEFAULT_STREAM_LIFETIME_SECONDS = 3600.0
DEFAULT_KEEPALIVE_SECONDS = 10.0


@dataclass(frozen=True)
class EmulatorConfig:
    """What the server was started with. `api_keys` empty means any non-empty key passes."""

    db_path: str
    time_scale: float = DEFAULT_TIME_SCALE
    api_keys: Tuple[str, ...] = field(default=(), repr=False)
    rate_limit_per_minute: int = DEFAULT_RATE_LIMIT_PER_MINUTE
    rate_limit_unit: str = "request"  # or "run"
    credit: Optional[int] = None  # runs the account can pay for in all; None: unlimited
    stream_lifetime_seconds: float = DEFAULT_STREAM_LIFETIME_SECONDS
    failure_rate: float = 0.0
    failure_seed: int = 0
    keepalive_seconds: float = DEFAULT_KEEPALIVE_SECONDS
    old_shape_rate: float = 0.0
    legacy_wire: bool = False
    wire_faults: bool = False  # the wire-fault proxy runs in front of the app (--wire-faults)
    contract_path: Optional[str] = None  # the OpenAPI document served; None: the packaged copy
    check_responses: bool = False  # check every answer against the contract (--check-responses)
