"""Session fixtures shared by every test package, each built or started once per session: small real GLiNER
checkpoints, one PostgreSQL server, one headless Chromium.

The peer checkpoints are built and saved by the `gliner` package (the parity tests compare both
implementations on them, and both read the same weights wherever they came from); the small NER model,
for tests that need a model that finds entities, is trained by doclinks' own trainer once and committed
(`tests/fixtures/small_ner_heads.safetensors`), so that it is the same model on every machine.
"""

import os
import shutil
import tempfile

# In pytest-xdist's worker processes (pyproject's addopts: one per CPU), one torch thread each: two workers of
# two threads on two cores spend more time fighting over the cores than computing (measured: the model tests took
# twice their single-process time). Set before torch is imported; the subprocesses the tests start inherit it.
if int(os.environ.get("PYTEST_XDIST_WORKER_COUNT", "1")) > 1:
    os.environ.setdefault("OMP_NUM_THREADS", "1")
    os.environ.setdefault("MKL_NUM_THREADS", "1")

import pytest

from tests.ner.peer_models import build_peer_checkpoint
from tests.ner.small_model import build_small_ner_checkpoint

# ------------------------------------------------------------------------------------------ the slow group
# `pytest -m "not slow"` (daily work) leaves out the slowest end-to-end tests; CI runs everything. A test is
# slow when it needs one of `SLOW_FIXTURES` (a server process, a browser, a Ray cluster, the parity peers
# run over many texts), or is named in `SLOW_TESTS` (whole `doclinks` commands run as processes, each
# loading torch and a model; training runs), by node id or its prefix. Measured: `--durations`, see
# CONTRIBUTING.md.
SLOW_FIXTURES = {
    "browser",  # a headless Chromium
    "served_db", "read_server", "write_server", "parsed_server", "pg_url",  # `doclinks serve` processes
    "local_ray",  # a local Ray cluster (tests/scale)
    "peer_checkpoint_512", "models_512", "models_384", "build_family",  # parity with `gliner` over many texts
}  # fmt: skip
SLOW_TESTS = (
    "tests/ner/test_post_fusion.py::",  # five gliner-built poly-encoders, parity in three modes
    "tests/ner/test_decoder_encoders.py::",  # tiny Llama / Qwen2 checkpoints built by gliner
    "tests/cli/test_sync.py::",  # ingest processes, one of them killed
    "tests/cli/test_errors.py::test_one_line_error_and_nothing_written",  # ~30 command processes
    "tests/cli/test_search_entities.py::",
    "tests/cli/test_forgiving_ingest.py::",
    "tests/cli/test_ingest.py::test_interrupted_ingest_continues_where_it_stopped",
    "tests/cli/test_progress.py::test_model_load_then_small_steps",
    "tests/cli/test_graph_stats.py::test_contrast_labels_from_the_command_line",
    "tests/cli/test_search.py::test_ppr_mode_seeds_with_the_entities_of_the_question",
    "tests/cli/test_entities_demo.py::test_demo_ingests_the_sample_then_searches",
    "tests/cli/test_entities_demo.py::test_demo_on_the_shipped_default_model",
    "tests/cli/test_read_step.py::test_skip_bad_skips_what_the_read_step_refuses",
    "tests/cli/test_read_step.py::test_a_failed_first_ingest_leaves_no_database_file",
    "tests/query/test_cli.py::",
    "tests/ner/train/test_cli.py::test_cli_train",
    "tests/ner/train/test_trainer.py::test_resume_gives_the_state_of_an_uninterrupted_run",
    "tests/ner/train/test_pool.py::test_wide_sets_from_shared_data",
    "tests/ner/test_long_texts.py::test_entities_at_start_middle_and_end_of_20000_words",
    "tests/ner/test_checkpoints.py::test_interpolated_weights_lie_between_base_and_tuned",
    "tests/links/test_extractor.py::test_seed_example_with_the_default_model",
)


def pytest_collection_modifyitems(items):
    slow_files = set()
    for item in items:
        if SLOW_FIXTURES & set(getattr(item, "fixturenames", ())) or item.nodeid.startswith(SLOW_TESTS):
            item.add_marker(pytest.mark.slow)
            slow_files.add(item.nodeid.split("::")[0])
    # Files with slow tests first (each file keeps its order): the workers start on the long files, and the
    # short ones fill in at the end instead of one worker finishing a long file alone.
    items.sort(key=lambda item: item.nodeid.split("::")[0] not in slow_files)


@pytest.fixture(scope="session")
def peer_checkpoint_512(tmp_path_factory):
    """Upstream-built: hidden 512 (projection from MiniLM's 384), BiLSTM, seeded random heads."""
    return build_peer_checkpoint(tmp_path_factory.mktemp("peer512"), hidden_size=512, rnn_layers=1, seed=11)


@pytest.fixture(scope="session")
def peer_checkpoint_384_tuned(tmp_path_factory):
    """Upstream-built: hidden 384 (no projection), no BiLSTM, label vectors off the label's first token,
    heads briefly fine-tuned on synthetic sentences so that scores spread from near 0 to near 1."""
    return build_peer_checkpoint(
        tmp_path_factory.mktemp("peer384"),
        hidden_size=384,
        rnn_layers=0,
        seed=5,
        fine_tune_steps=40,
        embed_ent_token=False,
    )


@pytest.fixture(scope="session")
def small_ner_checkpoint(tmp_path_factory):
    """The checkpoint folder of `small_ner_model` (loadable by `gliner` too)."""
    return build_small_ner_checkpoint(tmp_path_factory.mktemp("small-ner") / "checkpoint")


@pytest.fixture(scope="session")
def small_ner_model(small_ner_checkpoint):
    """A `doclinks.ner.GLiNER` (CPU, float32) that finds people, places and organisations in simple
    cased English sentences, e.g. "Alan Turing visited Paris with Ada Lovelace." -> Alan Turing and
    Ada Lovelace (person), Paris (location), each scored well above 0.5, with the labels "person",
    "location", "organization" (any case: the encoder is uncased).

    Trained once by doclinks' own trainer (`python -m tests.ner.small_model`, ~40 s on one CPU thread)
    and committed: its heads are `tests/fixtures/small_ner_heads.safetensors`, loaded over the packaged
    all-MiniLM-L6-v2, frozen (the model is the same on every machine). The recipe: GLiNER heads (hidden 384, BiLSTM, label vectors off
    each label's first token), 200 steps of 8 synthetic template sentences ("{person} visited
    {location} with {person} .", "{organization} opened an office in {location} .", ...: 21 templates
    over 69 first names x 56 surnames, 49 places, 35 organisations and 9 dates), labelled person /
    location / organization / date, with up to 8 labels a sentence (the others drawn from those and 16
    labels no sentence has: food, animal, disease, ...). Inference still rounds floats the machine's
    way: assert on clear cases only, never on exact scores.
    """
    from doclinks.ner import GLiNER

    return GLiNER.from_pretrained(small_ner_checkpoint)


@pytest.fixture(scope="session")
def pg_dsn():
    """A private PostgreSQL + pgvector on 127.0.0.1 for the whole session (store and query tests, each in
    collections of their own), stopped at the end."""
    pytest.importorskip("psycopg")
    from doclinks.store.testing.local_postgres import LocalPostgres

    server = LocalPostgres().start()
    try:
        yield server.dsn
    finally:
        server.stop()


@pytest.fixture(scope="session")
def pg_database(pg_dsn):
    """`pg_database(name)`: creates the database `name` on the session's PostgreSQL (`pg_dsn`) and gives its
    postgresql:// URL, for tests that need a database of their own (serve, scale) without a server of their
    own. Each name once per session."""
    import re

    import psycopg

    port = re.search(r"\bport=(\d+)", pg_dsn).group(1)
    created: set[str] = set()

    def create(name: str) -> str:
        if name in created:
            raise ValueError(f"database {name!r} was created already in this session: pick another name")
        with psycopg.connect(pg_dsn, autocommit=True) as conn:
            conn.execute(f"CREATE DATABASE {name}")
        created.add(name)
        return f"postgresql://postgres@127.0.0.1:{port}/{name}"

    return create


# ------------------------------------------------------------------------------------------ Chromium
CHROMIUM_FLAGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--no-first-run", "--window-size=1280,800",
]  # fmt: skip


def _find_chromium() -> tuple[str | None, str | None]:
    browser = shutil.which("chromium") or shutil.which("chromium-browser")
    driver = shutil.which("chromedriver") or (
        "/usr/bin/chromedriver" if os.path.exists("/usr/bin/chromedriver") else None
    )
    return browser, driver


@pytest.fixture(scope="session")
def chromium() -> tuple[str, str]:
    """(browser, driver) paths of Debian's Chromium (installed by scripts/install-test-browser)."""
    pytest.importorskip("selenium", reason="selenium is not installed (pip install -e '.[test]')")
    browser, driver = _find_chromium()
    if not (browser and driver):
        pytest.skip("Chromium is not installed: run scripts/install-test-browser (the test install step does)")
    return browser, driver


@pytest.fixture(scope="session")
def browser(chromium):
    """A headless Chromium driven by selenium, with a fresh profile, for the whole session (the CLI's pages
    and `doclinks serve`'s: one browser start); closed at the end."""
    from selenium import webdriver
    from selenium.common.exceptions import WebDriverException
    from selenium.webdriver.chrome.service import Service

    os.environ.setdefault("SE_OFFLINE", "true")  # never let Selenium Manager reach out
    binary, driver_path = chromium
    profile = tempfile.mkdtemp(prefix="doclinks-chromium-")
    options = webdriver.ChromeOptions()
    options.binary_location = binary
    for flag in [*CHROMIUM_FLAGS, f"--user-data-dir={profile}"]:
        options.add_argument(flag)
    try:
        driver = webdriver.Chrome(service=Service(driver_path), options=options)
    except WebDriverException as exc:
        shutil.rmtree(profile, ignore_errors=True)
        pytest.skip(f"Chromium did not start: {str(exc).splitlines()[0]}")
    driver.set_page_load_timeout(60)
    yield driver
    driver.quit()
    shutil.rmtree(profile, ignore_errors=True)
