"""A local GitHub, Gitee and OSV that speak the real protocols, for tests and the demo."""
