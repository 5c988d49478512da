"""Maintainer decisions: labels on a submission issue -> a registry PR -> merge -> published.

One small handler per label (``approved``, ``rejected``, ``needs-info``) in :mod:`.handlers`; the entry
is built in :mod:`.entry`; :mod:`.publisher` writes one branch per plugin through the git data API and
keeps one PR on it; :mod:`.refresh` rebuilds open registry PRs when main moves; :mod:`.publication`
validates main and tells the submitter where the plugin is listed; :mod:`.stats` refreshes stats with
conditional requests; :mod:`.maintenance` is the add/update/remove commands. The guide for maintainers
is the Maintainers part of CONTRIBUTING.md.
"""
