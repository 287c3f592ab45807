"""Scale-out: the ingest of `doclinks.pipeline` on a Ray cluster, into PostgreSQL (``doclinks ingest
--engine ray``; ``pip install "doclinks[ray]"``).

The same steps as the single-process ingest, as a Ray Data pipeline (`stages`):

    files -> read and split (tasks) -> skip stored chunks (actors) -> [materialised: the total is known]
          -> NER, links and vectors (an actor pool: models loaded once per actor; CPU or GPU)
          -> writes (a few actors, one connection each: one upsert transaction per batch)

then the corpus tag normalisation as a Ray job over the stored chunks (`normalize`), and the HNSW
index built once at the end of a bulk load. Chunk ids come from the files' content and paths, and
every write is an upsert by id, so a retried task (a killed actor, a lost node) stores nothing
twice, and a second run of the same ingest changes nothing. The driver (`ingest.ray_ingest`) holds
small rows only: it runs as well on a laptop (a local Ray) as on a cluster (docs/scale.md).

Importing this package does not import Ray; `ray_ingest` does, and names the extra when it is missing.
"""

from .ingest import SQLITE_REFUSED, RayIngestResult, check_postgres_dsn, ray_ingest
from .session import RAY_MISSING, require_ray
from .settings import RaySettings, ReadSettings

__all__ = [
    "ray_ingest",
    "RayIngestResult",
    "RaySettings",
    "ReadSettings",
    "SQLITE_REFUSED",
    "RAY_MISSING",
    "check_postgres_dsn",
    "require_ray",
]
