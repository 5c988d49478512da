"""The command-line options every review command shares, and its exit statuses: light to import, so that a
review command can parse its arguments (and start its scanners, :mod:`wxreg.review.prestart`) before the
review's own modules are loaded."""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from wxreg.paths import DEFAULT_POLICY_PATH, REPO_ROOT

EXIT_PASSED, EXIT_FAILED, EXIT_CANNOT = 0, 1, 2


def add_configuration(parser: argparse.ArgumentParser, *, registry_dir: bool = True) -> None:
    """Options every command that reviews shares: policy, registry data, allowed hosts, OSV, the package index.
    ``registry_dir=False`` for commands whose registry is their ``--root`` checkout."""
    conf = parser.add_argument_group("配置 / configuration")
    conf.add_argument("--policy", type=Path, default=DEFAULT_POLICY_PATH, help="审核策略 / review policy file")
    if registry_dir:
        conf.add_argument("--registry-dir", type=Path, default=REPO_ROOT / "registry",
                          help="用于比对插件 ID 的注册表 / the registry the plugin id is compared with")
    conf.add_argument("--allow-url-prefix", action="append",
                      default=os.environ.get("WXREG_ALLOW_URL_PREFIXES", "").split(), metavar="URL",
                      help="额外允许的仓库地址前缀（如 GitHub Enterprise）；环境变量 WXREG_ALLOW_URL_PREFIXES "
                           "/ extra allowed repository URL prefix (a GitHub Enterprise host)")
    conf.add_argument("--scanner-python", default=sys.executable, metavar="PYTHON",
                      help="运行 bandit 与 pip-audit 的 Python（默认当前的）/ the Python that runs bandit and "
                           "pip-audit (default: this one)")
    conf.add_argument("--osv-url", default=os.environ.get("WXREG_OSV_URL"),
                      help="OSV 查询地址（默认公共 OSV；环境变量 WXREG_OSV_URL）/ OSV query URL for pip-audit "
                           "(default: the public OSV; env WXREG_OSV_URL)")
    conf.add_argument("--pypi-url", default=os.environ.get("WXREG_PYPI_URL") or "https://pypi.org",
                      help="软件包索引（PyPI JSON API；环境变量 WXREG_PYPI_URL）/ package index serving the PyPI JSON "
                           "API (env WXREG_PYPI_URL)")
