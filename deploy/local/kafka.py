"""Apache Kafka 4.x as one local KRaft node (broker + controller) from pinned Maven jars.

``python -m deploy.local.kafka lock`` re-resolves deploy/kafka/pom.xml with Maven and rewrites
deploy/kafka/artifacts.lock; nothing else needs Maven.
"""

from __future__ import annotations

import base64
import hashlib
import subprocess
import sys
import uuid
from pathlib import Path

from deploy.local.artifacts import Artifact, fetch_all, read_lock
from deploy.local.java import find_java_home
from deploy.local.process import ROOT, Component, port_open

KAFKA_DIR = ROOT / "deploy" / "kafka"
LOCK = KAFKA_DIR / "artifacts.lock"


class Kafka(Component):
    def __init__(self, state: Path, port: int, controller_port: int) -> None:
        super().__init__(name="kafka", state=state)
        self.port = port
        self.controller_port = controller_port
        self.ports = (port, controller_port)
        self.home = state / "kafka"
        self.data = self.home / "data"
        self.properties = self.home / "server.properties"

    @property
    def bootstrap(self) -> str:
        return f"127.0.0.1:{self.port}"

    def prepare(self) -> None:
        jars = fetch_all(read_lock(LOCK), "kafka")
        java_home = find_java_home(17)
        self.home.mkdir(parents=True, exist_ok=True)
        self.properties.write_text(self._server_properties())
        classpath = ":".join(str(j) for j in jars)
        jvm = [
            str(java_home / "bin" / "java"),
            "-Xms256m",
            "-Xmx768m",
            "-XX:+UseG1GC",
            "-XX:MaxGCPauseMillis=20",
            # C1 only: the local broker lives minutes (a test session, a benchmark, a demo),
            # and C2 kept recompiling for more than a minute of load, 4-27 % of a core beside
            # the broker's own 21-24 %; its throughput here did not move (outbox_throughput)
            "-XX:TieredStopAtLevel=1",
            "-Djava.awt.headless=true",
            f"-Dlog4j2.configurationFile={KAFKA_DIR / 'log4j2.properties'}",
            f"-Dkafka.logs.dir={self.home / 'logs'}",
            "-cp",
            classpath,
        ]
        if not (self.data / "meta.properties").exists():
            cluster_id = _kafka_uuid()
            subprocess.run(
                [
                    *jvm,
                    "kafka.tools.StorageTool",
                    "format",
                    "-t",
                    cluster_id,
                    "-c",
                    str(self.properties),
                ],
                check=True,
                capture_output=True,
            )
        self.command = [*jvm, "kafka.Kafka", str(self.properties)]

    def ready(self) -> bool:
        # The broker registers with the controller and opens its listener; probe both, then
        # ask for metadata so that "ready" means clients can really produce.
        if not port_open("127.0.0.1", self.port):
            return False
        return _metadata_ok(self.bootstrap)

    def _server_properties(self) -> str:
        settings = {
            "process.roles": "broker,controller",
            "node.id": "1",
            "controller.quorum.voters": f"1@127.0.0.1:{self.controller_port}",
            "listeners": (
                f"PLAINTEXT://127.0.0.1:{self.port},CONTROLLER://127.0.0.1:{self.controller_port}"
            ),
            "advertised.listeners": f"PLAINTEXT://127.0.0.1:{self.port}",
            "controller.listener.names": "CONTROLLER",
            "inter.broker.listener.name": "PLAINTEXT",
            "listener.security.protocol.map": "CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT",
            "log.dirs": str(self.data),
            "num.partitions": "3",
            # a single node: every internal topic has one replica
            "offsets.topic.replication.factor": "1",
            "transaction.state.log.replication.factor": "1",
            "transaction.state.log.min.isr": "1",
            "share.coordinator.state.topic.replication.factor": "1",
            "share.coordinator.state.topic.min.isr": "1",
            "default.replication.factor": "1",
            "min.insync.replicas": "1",
            "auto.create.topics.enable": "true",
            "group.initial.rebalance.delay.ms": "0",
            "log.retention.hours": "168",
            "log.segment.bytes": str(64 * 1024 * 1024),
        }
        return "".join(f"{k}={v}\n" for k, v in settings.items())


def _kafka_uuid() -> str:
    """A cluster id as Kafka makes them: URL-safe base64 of 16 bytes, never starting with '-'."""
    while True:
        encoded = base64.urlsafe_b64encode(uuid.uuid4().bytes).decode().rstrip("=")
        if not encoded.startswith("-"):
            return encoded


def _metadata_ok(bootstrap: str) -> bool:
    import asyncio

    from aiokafka.admin import AIOKafkaAdminClient

    async def probe() -> bool:
        admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap, request_timeout_ms=3000)
        await admin.start()
        try:
            await admin.describe_cluster()
            return True
        finally:
            await admin.close()

    return asyncio.run(probe())


def lock() -> None:
    """Resolve the broker with Maven and write artifacts.lock (coordinates and SHA-256)."""
    listing = KAFKA_DIR / "target" / "dependencies.txt"
    listing.parent.mkdir(exist_ok=True)
    subprocess.run(
        [
            "mvn",
            "-q",
            "-B",
            "-Dstyle.color=never",
            "dependency:list",
            "-DincludeScope=runtime",
            "-DoutputAbsoluteArtifactFilename=true",
            f"-DoutputFile={listing}",
        ],
        cwd=KAFKA_DIR,
        check=True,
    )
    lines = ["# generated by `python -m deploy.local.kafka lock` from deploy/kafka/pom.xml"]
    for raw in sorted(listing.read_text().splitlines()):
        parts = raw.strip().split(":")
        if len(parts) < 6:
            continue
        group, artifact, ext, version = parts[0], parts[1], parts[2], parts[3]
        jar = Path(":".join(parts[5:]).strip())
        if not jar.exists():  # listing format: g:a:type:version:scope:/abs/path
            jar = Path(parts[-1].strip())
        data = jar.read_bytes()
        published = jar.with_name(jar.name + ".sha1")
        if (
            published.exists()
            and published.read_text().split()[0] != hashlib.sha1(data).hexdigest()
        ):
            raise SystemExit(f"{jar.name}: sha1 differs from the repository's")
        entry = Artifact(group, artifact, version, hashlib.sha256(data).hexdigest(), extension=ext)
        lines.append(f"{group}:{artifact}:{version}::{ext} {entry.sha256}")
    LOCK.write_text("\n".join(lines) + "\n")
    print(f"wrote {LOCK} ({len(lines) - 1} artifacts)", file=sys.stderr)


if __name__ == "__main__":
    if sys.argv[1:] == ["lock"]:
        lock()
    else:
        raise SystemExit("usage: python -m deploy.local.kafka lock")
