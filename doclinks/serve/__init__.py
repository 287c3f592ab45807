"""doclinks as a service: a JSON API and a web page (`doclinks serve`), and an MCP tool server (`doclinks mcp`).

- `settings`: `ServeSettings` and the request `Limits`;
- `service`: `Service`, the model, embedder and stores of one process, answering plain calls;
- `pool`: model and store work off the event loop, in a bounded worker pool;
- `guard`, `schemas`, `app`: the HTTP side (FastAPI on uvicorn); `static/`: the web page;
- `mcp_server`: the MCP tools over stdio.

FastAPI and uvicorn come with the ``serve`` extra, the ``mcp`` package with the ``mcp`` extra. See docs/serve.md.
"""

from .settings import Limits, ServeSettings

__all__ = ["Limits", "ServeSettings", "serve"]


def serve(settings: ServeSettings, *, log_level: str = "info") -> None:
    """Load the model and embedder, open the store, and answer HTTP on ``settings.host:settings.port``
    until interrupted."""
    import uvicorn

    from .app import create_app
    from .service import Service

    service = Service(settings)
    try:
        uvicorn.run(create_app(service), host=settings.host, port=settings.port, log_level=log_level,
                    proxy_headers=False, server_header=False, timeout_graceful_shutdown=5)  # fmt: skip
    finally:
        service.close()
