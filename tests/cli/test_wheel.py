"""The wheel carries the whole application and its migrations, so `pip install .` (not editable)
then `quill db upgrade` works with no clone beside it. Built offline, in a few seconds."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from alembic.script import ScriptDirectory

ROOT = Path(__file__).resolve().parents[2]
LAYERS = ("domain", "application", "infrastructure", "interfaces")
JUNK = shutil.ignore_patterns(".*", "build", "*.egg-info", "__pycache__", "*.db*", "results")


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Built from a copy of the tree, so the checkout gets no build/ or egg-info of this run;
    without build isolation (setuptools is in the lock), so no index is needed."""
    source = tmp_path_factory.mktemp("source") / "quill"
    shutil.copytree(ROOT, source, ignore=JUNK)
    out = tmp_path_factory.mktemp("dist")
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "--quiet",
            "--no-deps",
            "--no-index",
            "--no-build-isolation",
            "--wheel-dir",
            str(out),
            str(source),
        ],
        check=True,
        capture_output=True,
        timeout=120,
    )
    (built,) = out.glob("quill-*.whl")
    return built


def names_in(wheel: Path) -> set[str]:
    with zipfile.ZipFile(wheel) as archive:
        return set(archive.namelist())


def files_under(folder: str) -> set[str]:
    return {
        path.relative_to(ROOT).as_posix()
        for path in (ROOT / folder).rglob("*")
        if path.is_file() and "__pycache__" not in path.parts
    }


def test_the_wheel_carries_every_migration_and_the_alembic_environment(wheel: Path) -> None:
    names = names_in(wheel)
    scripts = {name.replace("alembic/", "quill_migrations/", 1) for name in files_under("alembic")}

    assert "quill_migrations/versions/0001_users_and_sessions.py" in scripts
    assert {"quill_migrations/env.py", "quill_migrations/script.py.mako"} <= scripts
    assert scripts <= names
    assert not any(name.startswith("alembic/") for name in names)  # would shadow the library


def test_the_wheel_carries_every_file_of_the_layers(wheel: Path) -> None:
    """pyproject.toml lists the packages by hand: a new subpackage must be added there."""
    expected = set().union(*(files_under(layer) for layer in LAYERS))

    assert expected - names_in(wheel) == set()


def test_quill_db_upgrade_from_the_unpacked_wheel_runs_the_wheels_own_migrations(
    wheel: Path, tmp_path: Path
) -> None:
    """Unpacked onto the path ahead of the editable install: what `pip install .` puts in
    site-packages, with this venv's dependencies and no second venv to build."""
    site = tmp_path / "site"
    with zipfile.ZipFile(wheel) as archive:
        archive.extractall(site)
    bootstrap = (
        "import infrastructure.db.migrations as m; print(m.SCRIPT_LOCATION, flush=True);"
        "import sys; from interfaces.cli import main; sys.argv = ['quill', 'db', 'upgrade']; main()"
    )

    result = subprocess.run(
        [sys.executable, "-c", bootstrap],
        env={
            "PATH": os.environ.get("PATH", ""),
            "HOME": str(tmp_path),
            "PYTHONPATH": str(site),
            "DATABASE_URL": f"sqlite:///{tmp_path}/wheel.db",
            "APP_ENV": "testing",
        },
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=60,
    )

    assert result.returncode == 0, result.stderr
    location, outcome = result.stdout.strip().splitlines()
    assert Path(location) == site / "quill_migrations"
    head = ScriptDirectory(str(ROOT / "alembic")).get_current_head()
    assert outcome == f"Database at revision {head}."
