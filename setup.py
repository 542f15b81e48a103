"""Build hook: ship the top-level ontology/ folder inside the wheel as the package data kg/ontology/.

The repository keeps ontology/ (ontology, shapes, canned queries, patterns, catalog) at the top level; a
wheel must carry it for `pip install .` to work.  kg/resources.py reads the checkout's folder when there is
one (editable installs) and this copy otherwise.  The generated imported catalog is not shipped.
"""

from __future__ import annotations

import shutil
from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py

ROOT = Path(__file__).resolve().parent


class BuildPyWithData(build_py):
    def run(self) -> None:
        super().run()
        if self.editable_mode:  # an editable install reads the checkout's ontology/ directly
            return
        target = Path(self.build_lib) / "kg" / "ontology"
        shutil.rmtree(target, ignore_errors=True)
        shutil.copytree(ROOT / "ontology", target, ignore=shutil.ignore_patterns("imported", "__pycache__"))


# build/ is where `kg build` writes the graph: setuptools' scratch space goes elsewhere.
setup(cmdclass={"build_py": BuildPyWithData}, options={"build": {"build_base": ".setuptools-build"}})
