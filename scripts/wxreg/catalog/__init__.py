"""The browsable catalog and the Pages site: ``wxreg site`` (see :mod:`wxreg.catalog.site`)."""
