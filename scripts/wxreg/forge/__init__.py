"""The forge (GitHub) behind one interface: :mod:`.interface` (the ``Forge`` protocol and its answers),
:mod:`.github` (PyGithub, the only importer of it), :mod:`.fake` (in memory), :mod:`.labels` (names)."""
