"""Shared pytest configuration: the sandbox fixtures (``world``, ``github``, ``gitee``, ``osv``, ``users``,
``make_plugin_repo``) from ``wxsandbox.pytest_plugin``."""

pytest_plugins = ["wxsandbox.pytest_plugin"]
