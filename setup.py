"""Packaging hook: a wheel carries the registry data the tools read (``pyproject.toml`` has the rest).

The reviewer reads ``registry/`` (policy, listed and removed plugins), ``schemas/`` and the issue form.
An editable install reads them from the checkout; ``pip install git+https://...`` builds a wheel, so
they are copied into the package as ``wxreg/_data/`` with the repository's layout (see
``wxreg.config.REPO_ROOT``).
"""

from __future__ import annotations

import shutil
from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py

ROOT = Path(__file__).resolve().parent
DATA_GLOBS = (
    "registry/*.json",
    "registry/plugins/*.json",
    "registry/plugins/.gitkeep",  # the folder exists even while no plugin is listed (a wheel has no empty folders)
    "schemas/*.json",
    ".github/ISSUE_TEMPLATE/*.yml",
)


class BuildWithRegistryData(build_py):
    def run(self) -> None:
        super().run()
        if getattr(self, "editable_mode", False):
            return  # an editable install reads the checkout itself
        target = Path(self.build_lib) / "wxreg" / "_data"
        for pattern in DATA_GLOBS:
            for source in sorted(ROOT.glob(pattern)):
                destination = target / source.relative_to(ROOT)
                destination.parent.mkdir(parents=True, exist_ok=True)
                shutil.copyfile(source, destination)


setup(cmdclass={"build_py": BuildWithRegistryData})
