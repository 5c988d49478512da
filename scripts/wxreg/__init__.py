"""WXAUTO-MGT plugin registry tooling: build, validate, review and publish."""
