"""Test harness: run the emulator as a subprocess on a free loopback port.

    with EmulatorServer(time_scale=0.01, api_keys=["test-key"]) as emu:
        client = Client(api_key=emu.api_key, base_url=emu.base_url)
        emu.set_faults(stream_drop_after=5)
        emu.restart()          # same database, same port when it is still free

`wire_faults=True` starts it behind the wire-fault proxy (`--wire-faults`), so that
`set_faults(wire_fault_rate=...)` and the other wire settings are accepted.

Every answer is checked against the contract (`--check-responses`; `check_responses=False`
turns it off): a mismatch is a 500 (or a cut stream) and is logged, and leaving the `with`
block then raises `ResponseCheckFailed` with the logged problems. `contract=PATH` serves
another OpenAPI document than the packaged one (`--contract`).

Logs and the default database live in a private temp folder removed by `stop()`/exit.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.request
from typing import Any, Dict, List, Optional, Sequence

from .__main__ import API_KEYS_ENV
from .check_marker import MARKER

_LISTENING = "listening on "


class EmulatorStartError(RuntimeError):
    """The emulator did not come up; the message carries its stderr."""


class ResponseCheckFailed(AssertionError):
    """The emulator answered something its contract does not allow (see --check-responses)."""


class EmulatorServer:
    """One emulator process for a test (context manager)."""

    def __init__(
        self,
        time_scale: float = 0.01,
        api_keys: Optional[Sequence[str]] = ("test-key",),
        db_path: Optional[str] = None,
        rate_limit_per_minute: Optional[int] = None,
        *,
        rate_limit_unit: Optional[str] = None,
        credit: Optional[int] = None,
        stream_lifetime: Optional[float] = None,
        failure_rate: float = 0.0,
        failure_seed: int = 0,
        legacy_wire: bool = False,
        keepalive_seconds: Optional[float] = None,
        old_shape_rate: float = 0.0,
        error_event_rate: float = 0.0,
        wire_faults: bool = False,
        check_responses: bool = True,
        contract: Optional[str] = None,
        faults: Optional[Dict[str, Any]] = None,
        extra_args: Sequence[str] = (),
        startup_timeout: float = 30.0,
    ) -> None:
        self.time_scale = time_scale
        self.api_keys: List[str] = list(api_keys or [])
        self.rate_limit_per_minute = rate_limit_per_minute
        self.rate_limit_unit = rate_limit_unit
        self.credit = credit
        self.stream_lifetime = stream_lifetime
        self.failure_rate = failure_rate
        self.failure_seed = failure_seed
        self.legacy_wire = legacy_wire
        self.keepalive_seconds = keepalive_seconds
        self.old_shape_rate = old_shape_rate
        self.error_event_rate = error_event_rate
        self.wire_faults = wire_faults
        self.check_responses = check_responses
        self.contract = contract
        self.initial_faults = dict(faults or {})
        self.extra_args = list(extra_args)
        self.startup_timeout = startup_timeout
        self._dir = tempfile.mkdtemp(prefix="taskgroup-emulator-")
        self.db_path = db_path or os.path.join(self._dir, "emulator.db")
        self.base_url = ""
        self.port = 0
        self._proc: Optional[subprocess.Popen[bytes]] = None
        self._starts = 0

    @property
    def api_key(self) -> str:
        """A key the server accepts."""
        return self.api_keys[0] if self.api_keys else "test-key"

    def __repr__(self) -> str:  # never shows keys
        return f"EmulatorServer(base_url={self.base_url!r}, db_path={self.db_path!r})"

    # -- lifecycle ----------------------------------------------------------------------

    def __enter__(self) -> EmulatorServer:
        self.start()
        return self

    def __exit__(self, exc_type: Any, *exc: Any) -> None:
        problems = self.response_problems()
        self.close()
        if problems and exc_type is None:
            raise ResponseCheckFailed(
                "the emulator answered what its contract does not allow:\n" + "\n".join(problems)
            )

    def _command(self, port: int) -> List[str]:
        cmd = [
            sys.executable,
            "-m",
            "taskgroup_emulator",
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--db",
            self.db_path,
            "--time-scale",
            repr(self.time_scale),
            "--failure-rate",
            repr(self.failure_rate),
            "--failure-seed",
            str(self.failure_seed),
        ]
        if self.rate_limit_per_minute is not None:
            cmd += ["--rate-limit", str(self.rate_limit_per_minute)]
        if self.rate_limit_unit is not None:
            cmd += ["--rate-limit-unit", self.rate_limit_unit]
        if self.credit is not None:
            cmd += ["--credit", str(self.credit)]
        if self.stream_lifetime is not None:
            cmd += ["--stream-lifetime", repr(self.stream_lifetime)]
        if self.keepalive_seconds is not None:
            cmd += ["--keepalive-seconds", repr(self.keepalive_seconds)]
        if self.old_shape_rate:
            cmd += ["--old-shape-rate", repr(self.old_shape_rate)]
        if self.error_event_rate:
            cmd += ["--error-event-rate", repr(self.error_event_rate)]
        if self.legacy_wire:
            cmd.append("--legacy-wire")
        if self.wire_faults:
            cmd.append("--wire-faults")
        if self.check_responses:
            cmd.append("--check-responses")
        if self.contract is not None:
            cmd += ["--contract", self.contract]
        return cmd + self.extra_args

    def start(self, port: Optional[int] = None) -> None:
        """Start the server (on `port`, default a free one) and wait until it accepts."""
        if self._proc is not None:
            raise RuntimeError("the emulator is already running; call stop() first")
        self._starts += 1
        out_path = os.path.join(self._dir, f"stdout.{self._starts}.log")
        err_path = os.path.join(self._dir, f"stderr.{self._starts}.log")
        env = dict(os.environ)
        env[API_KEYS_ENV] = ",".join(self.api_keys)
        with open(out_path, "wb") as out, open(err_path, "wb") as err:
            self._proc = subprocess.Popen(
                self._command(port or 0),
                stdout=out,
                stderr=err,
                stdin=subprocess.DEVNULL,
                env=env,
            )
        deadline = time.monotonic() + self.startup_timeout
        while True:
            line = _first_line_with(out_path, _LISTENING)
            if line is not None:
                self.base_url = line.split(_LISTENING, 1)[1].strip()
                self.port = int(self.base_url.rsplit(":", 1)[1])
                break
            code = self._proc.poll()
            if code is not None or time.monotonic() > deadline:
                self._kill()
                why = (
                    f"exited with code {code}"
                    if code is not None
                    else (f"did not print '{_LISTENING}...' within {self.startup_timeout:.0f} s")
                )
                raise EmulatorStartError(
                    f"taskgroup-emulator {why}. Its stderr:\n{_read(err_path)[-4000:]}"
                )
            time.sleep(0.02)
        if self.initial_faults:
            self.set_faults(**self.initial_faults)

    def stop(self) -> None:
        """Stop the server (SIGTERM, then SIGKILL after 10 s); the database is kept."""
        proc, self._proc = self._proc, None
        if proc is None:
            return
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=10)

    def _kill(self) -> None:
        proc, self._proc = self._proc, None
        if proc is not None and proc.poll() is None:
            proc.kill()
            proc.wait(timeout=10)

    def restart(self) -> None:
        """Stop and start again on the same database, on the same port if it is still free."""
        port = self.port
        self.stop()
        try:
            self.start(port=port)
        except EmulatorStartError:
            self.start()

    def close(self) -> None:
        """Stop the server and remove the temp folder (logs, and the db unless given)."""
        self.stop()
        shutil.rmtree(self._dir, ignore_errors=True)

    def stderr(self) -> str:
        """Everything the server wrote to stderr in its latest start."""
        return _read(os.path.join(self._dir, f"stderr.{self._starts}.log"))

    def response_problems(self) -> List[str]:
        """Answers the response check refused, over every start (see --check-responses)."""
        logs = (
            _read(os.path.join(self._dir, f"stderr.{n}.log")) for n in range(1, self._starts + 1)
        )
        return [line for log in logs for line in log.splitlines() if MARKER in line]

    # -- control ------------------------------------------------------------------------

    def _control(self, method: str, path: str, body: Optional[Dict[str, Any]] = None) -> Any:
        data = json.dumps(body).encode() if body is not None else None
        request = urllib.request.Request(
            self.base_url + path,
            data=data,
            method=method,
            headers={"content-type": "application/json"},
        )
        with urllib.request.urlopen(request, timeout=10) as response:
            return json.loads(response.read())

    def set_faults(self, **faults: Any) -> Dict[str, Any]:
        """Change fault settings (see emulator/README.md); returns all current settings."""
        result: Dict[str, Any] = self._control("POST", "/_emulator/faults", faults)
        return result

    def clear_faults(self) -> Dict[str, Any]:
        """Turn every fault off."""
        result: Dict[str, Any] = self._control("POST", "/_emulator/faults/reset", {})
        return result

    def requests(self) -> Dict[str, Any]:
        """API requests answered so far: ``{"total": N, "by_operation": {name: N}}`` (operation
        names are the emulator's handlers, e.g. ``add_runs``, ``get_run_result``)."""
        result: Dict[str, Any] = self._control("GET", "/_emulator/requests")
        return result

    def reset_requests(self) -> Dict[str, Any]:
        """Start counting API requests from zero."""
        result: Dict[str, Any] = self._control("DELETE", "/_emulator/requests")
        return result

    def faults(self) -> Dict[str, Any]:
        """Current fault settings."""
        result: Dict[str, Any] = self._control("GET", "/_emulator/faults")
        return result

    def rate_limit(self) -> Dict[str, Any]:
        """Rate-limit settings and usage."""
        result: Dict[str, Any] = self._control("GET", "/_emulator/rate-limit")
        return result

    def set_rate_limit(
        self, limit_per_minute: int, unit: Optional[str] = None, reset_usage: bool = True
    ) -> Dict[str, Any]:
        """Change the per-key limit (and its unit, "request" or "run") at runtime."""
        body: Dict[str, Any] = {"limit_per_minute": limit_per_minute, "reset_usage": reset_usage}
        if unit is not None:
            body["unit"] = unit
        result: Dict[str, Any] = self._control("POST", "/_emulator/rate-limit", body)
        return result

    def credit_status(self) -> Dict[str, Any]:
        """{credit, spent, remaining}: the allowance in runs (None: unlimited) and its use."""
        result: Dict[str, Any] = self._control("GET", "/_emulator/credit")
        return result

    def set_credit(self, credit: Optional[int]) -> Dict[str, Any]:
        """Set the account's total allowance in runs at runtime (None: unlimited).

        What was spent stays spent: `remaining` is `credit - spent`.
        """
        result: Dict[str, Any] = self._control("POST", "/_emulator/credit", {"credit": credit})
        return result


def _read(path: str) -> str:
    try:
        with open(path, encoding="utf-8", errors="replace") as f:
            return f.read()
    except OSError:
        return ""


def _first_line_with(path: str, marker: str) -> Optional[str]:
    for line in _read(path).splitlines():
        if marker in line:
            return line
    return None
