"""A normal (non-editable) install works: the wheel carries the data files and runs outside the checkout."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import sysconfig
from pathlib import Path

import pytest

from tests.conftest import REPO, SEED


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A fresh venv with only the cnkg wheel installed; its dependencies come from the test interpreter's
    site-packages (a .pth line), so nothing is downloaded.  Returns the venv's bin folder."""
    root = tmp_path_factory.mktemp("install")
    wheels = root / "wheels"
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", "--no-build-isolation", "-w", str(wheels), "."],
        cwd=REPO,
        check=True,
        capture_output=True,
    )
    (wheel,) = wheels.glob("cnkg-*.whl")
    venv = root / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True)
    python = venv / "bin" / "python"
    site = subprocess.run(
        [str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
        check=True,
        capture_output=True,
        text=True,
    ).stdout.strip()
    deps = {sysconfig.get_paths()["purelib"], sysconfig.get_paths()["platlib"]}
    # A plain path line: the editable install's finder (a .pth there) is not run, so `kg` is the wheel's.
    Path(site, "test-deps.pth").write_text("\n".join(sorted(deps)) + "\n", encoding="utf-8")
    subprocess.run(
        [sys.executable, "-m", "pip", "--python", str(python), "install", "-q", "--no-deps", "--no-index", str(wheel)],
        check=True,
        capture_output=True,
    )
    return venv / "bin"


def _run(bin_dir: Path, args: list[str], cwd: Path) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "CNKG_CATALOG_DIR")}
    env["XDG_DATA_HOME"] = str(cwd / "data-home")
    return subprocess.run([str(bin_dir / "kg"), *args], cwd=cwd, env=env, capture_output=True, text=True, timeout=300)


def test_wheel_extracts_and_lists_queries_outside_the_checkout(installed: Path, tmp_path: Path) -> None:
    located = subprocess.run(
        [str(installed / "python"), "-c", "import kg, kg.resources as r; print(kg.__file__); print(r.data_dir())"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.splitlines()
    assert not located[0].startswith(str(REPO)), "the test must run the installed package, not the checkout"
    assert located[1].endswith(os.path.join("kg", "ontology"))

    extracted = _run(installed, ["extract", str(SEED)], tmp_path)
    assert extracted.returncode == 0, extracted.stderr
    entities = json.loads(extracted.stdout)["entities"]
    assert {"Helm", "Kubernetes"} <= {e["label"] for e in entities}

    listed = _run(installed, ["queries"], tmp_path)
    assert listed.returncode == 0, listed.stderr
    assert "most-mentioned-projects:" in listed.stdout and "keps:" in listed.stdout


def test_installed_catalog_import_writes_to_the_user_data_folder(installed: Path, tmp_path: Path) -> None:
    where = subprocess.run(
        [str(installed / "python"), "-c", "from kg.catalog import IMPORTED_DIR; print(IMPORTED_DIR)"],
        cwd=tmp_path,
        env={**os.environ, "XDG_DATA_HOME": str(tmp_path / "xdg")},
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    assert where == str(tmp_path / "xdg" / "cnkg" / "catalog")
