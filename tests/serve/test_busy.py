"""A full queue answers 503 with Retry-After at once, through the real server (--workers 1 --queue 1), and the
server answers again once the work in flight is done."""

from __future__ import annotations

import threading

from .conftest import start_server, stop_server

# A long text: the NER model takes a while on it, so the other requests arrive while it runs.
LONG = " ".join(f"Anna Smith visited Paris with Omar Okafor on trip {i} ." for i in range(300))


def test_a_full_queue_answers_503_with_retry_after(served_db, small_ner_checkpoint, tmp_path):
    server = start_server(str(served_db), str(small_ner_checkpoint), tmp_path, extra=("--workers", "1", "--queue", "1"))
    try:
        answers = []

        def ask():
            with server.client() as c:
                answers.append(c.post("/api/entities", json={"text": LONG, "labels": ["person", "location"]}))

        threads = [threading.Thread(target=ask) for _ in range(6)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        codes = sorted(r.status_code for r in answers)
        busy = [r for r in answers if r.status_code == 503]
        assert codes.count(200) >= 1 and busy, codes
        assert all(r.headers["retry-after"] == "1" and "busy" in r.json()["message"] for r in busy)
        with server.client() as c:
            assert c.get("/api/health").status_code == 200
    finally:
        stop_server(server)
