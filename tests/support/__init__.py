"""Shared test support, imported as ``tests.support.<module>`` (a package, never through ``sys.path``):

* :mod:`tests.support.plugins`: plugin repositories in temporary folders (git), the good plugin, manifests;
* :mod:`tests.support.submission`: a rendered submission issue body;
* :mod:`tests.support.approval`: a registry on the GitHub stand-in with its reviewer and approval settings.

The OSV stand-in is the sandbox's own (:class:`wxsandbox.osv.OsvStandIn`).
"""
