"""What the distributed ingest reads, and how it runs on Ray: `ReadSettings`, `RaySettings`."""

from __future__ import annotations

import codecs
from dataclasses import dataclass

__all__ = ["ReadSettings", "RaySettings"]


def _positive(value: object, name: str) -> None:
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise ValueError(f"{name} must be an integer >= 1, got {value!r}")


def _resource(value: object, name: str) -> None:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not 0 <= value <= 1024:
        raise ValueError(f"{name} must be a number from 0 to 1024, got {value!r}")


@dataclass(frozen=True)
class ReadSettings:
    """How files become chunks: as `doclinks ingest` reads them (`doclinks.sources`).

    Args:
        chunk_size: largest chunk, in characters (default 1000).
        chunk_overlap: characters shared by neighbouring chunks (default 0).
        text_field: the text field of .jsonl lines (default "text").
        encoding: the files' text encoding (default "utf-8").
        skip_bad: leave unreadable files out (listed in the result) instead of stopping (default False).
    """

    chunk_size: int = 1000
    chunk_overlap: int = 0
    text_field: str = "text"
    encoding: str = "utf-8"
    skip_bad: bool = False

    def __post_init__(self) -> None:
        _positive(self.chunk_size, "chunk_size")
        if isinstance(self.chunk_overlap, bool) or not isinstance(self.chunk_overlap, int):
            raise ValueError(f"chunk_overlap must be an integer, got {self.chunk_overlap!r}")
        if not 0 <= self.chunk_overlap < self.chunk_size:
            raise ValueError(
                f"chunk_overlap must be at least 0 and below chunk_size ({self.chunk_size}), got {self.chunk_overlap}"
            )
        codecs.lookup(self.encoding)  # LookupError: no such encoding


@dataclass(frozen=True)
class RaySettings:
    """How the ingest runs on Ray (`doclinks.scale.ray_ingest`).

    Args:
        address: the cluster. None (default): the Ray this process already joined, else a local Ray
            started for the run on this machine's cores and stopped after it;
            ``"auto"``: the cluster this machine is a node of (``ray start`` ran here);
            ``"ray://host:10001"``: a remote cluster through Ray Client.
        actors: NER actors; each loads the NER model and the embedder once and keeps them. None
            (default): as many as the cluster holds at `actor_cpus` (or `actor_gpus`) each.
        actor_cpus: CPU cores per NER actor, and its torch threads (default 1).
        actor_gpus: GPUs per NER actor (default 0: CPU actors; 1: a GPU each; 0.5: two share one).
        writers: write actors, i.e. PostgreSQL connections writing at once (default 2). Writes of
            one collection take turns on its lock, so more writers only hide the time each spends
            encoding and on the network.
        writer_cpus: CPU cores reserved per write actor (default 0: they wait on the database; a
            reservation would take cores from the NER actors).
        readers: connections reading at once: the lookups of stored chunks, and the tasks that
            read the store for the tag normalisation (default 4).
        write_batch_size: chunks per write transaction (default 256).
        lookup_batch_size: chunk ids per query that finds the chunks already stored (default 1000).
        normalize_range: chunks (by key) each task of the tag normalisation pass reads (default 5000).
        bulk: drop the HNSW index while loading and build it once at the end (`bulk_ingest`).
            None (default): when the run adds at least as many chunks as the store holds; False
            keeps the index up to date (better for a small addition to a large store).
    """

    address: str | None = None
    actors: int | None = None
    actor_cpus: float = 1.0
    actor_gpus: float = 0.0
    writers: int = 2
    writer_cpus: float = 0.0
    readers: int = 4
    write_batch_size: int = 256
    lookup_batch_size: int = 1000
    normalize_range: int = 5000
    bulk: bool | None = None

    def __post_init__(self) -> None:
        if self.address is not None and (not isinstance(self.address, str) or not self.address.strip()):
            raise ValueError(
                f"address must be None, 'auto' or a Ray address such as ray://host:10001, got {self.address!r}"
            )
        if self.actors is not None:
            _positive(self.actors, "actors")
        for name in ("actor_cpus", "actor_gpus", "writer_cpus"):
            _resource(getattr(self, name), name)
        if self.actor_cpus == 0 and self.actor_gpus == 0:
            raise ValueError("actor_cpus and actor_gpus are both 0: a NER actor needs a CPU core or a GPU")
        for name in ("writers", "readers", "write_batch_size", "lookup_batch_size", "normalize_range"):
            _positive(getattr(self, name), name)
        if self.bulk not in (None, True, False):
            raise ValueError(f"bulk must be None, True or False, got {self.bulk!r}")

    @property
    def device(self) -> str:
        """Where the NER actors run their models: "cuda" with GPUs, else "cpu"."""
        return "cuda" if self.actor_gpus > 0 else "cpu"

    @property
    def torch_threads(self) -> int:
        """Torch threads per NER actor: its CPU cores (at least 1)."""
        return max(1, int(self.actor_cpus))

    def actor_count(self, cluster: dict[str, float]) -> int:
        """NER actors for a cluster with these resources (``ray.cluster_resources()``): `actors`, or
        as many as its CPUs (GPUs) hold at `actor_cpus` (`actor_gpus`) each, less the writers' CPUs."""
        if self.actors is not None:
            return self.actors
        if self.actor_gpus > 0:
            return max(1, int(cluster.get("GPU", 0) // self.actor_gpus))
        free = cluster.get("CPU", 1) - self.writers * self.writer_cpus
        return max(1, int(free // self.actor_cpus))
