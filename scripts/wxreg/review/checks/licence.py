"""Licence: an SPDX id we know, matching the LICENSE text."""

from __future__ import annotations

from collections.abc import Iterator

from wxreg.review import rules
from wxreg.review.checks.structure import LICENSE_NAMES, find_first
from wxreg.review.context import ReviewContext
from wxreg.review.findings import Finding

# SPDX id -> phrases of which at least one appears (lower-cased) in the standard licence text.
SPDX_TEXT: dict[str, tuple[str, ...]] = {
    "MIT": ("permission is hereby granted, free of charge",),
    "Apache-2.0": ("apache license", "version 2.0"),
    "BSD-2-Clause": ("redistribution and use in source and binary forms",),
    "BSD-3-Clause": ("redistribution and use in source and binary forms",),
    "ISC": ("permission to use, copy, modify, and/or distribute this software",),
    "0BSD": ("permission to use, copy, modify, and/or distribute this software",),
    "GPL-2.0-only": ("gnu general public license", "version 2"),
    "GPL-2.0-or-later": ("gnu general public license", "version 2"),
    "GPL-3.0-only": ("gnu general public license", "version 3"),
    "GPL-3.0-or-later": ("gnu general public license", "version 3"),
    "LGPL-2.1-only": ("gnu lesser general public license",),
    "LGPL-2.1-or-later": ("gnu lesser general public license",),
    "LGPL-3.0-only": ("gnu lesser general public license",),
    "LGPL-3.0-or-later": ("gnu lesser general public license",),
    "AGPL-3.0-only": ("gnu affero general public license",),
    "AGPL-3.0-or-later": ("gnu affero general public license",),
    "MPL-2.0": ("mozilla public license",),
    "Unlicense": ("this is free and unencumbered software released into the public domain",),
    "CC0-1.0": ("cc0 1.0 universal", "creative commons"),
    "Zlib": ("this software is provided 'as-is'",),
    "BSL-1.0": ("boost software license",),
    "EPL-2.0": ("eclipse public license",),
    "MulanPSL-2.0": ("mulan permissive software license", "木兰宽松许可证"),
}
# Deprecated SPDX spellings still seen in the wild, accepted as their current id.
SPDX_ALIASES = {
    "GPL-2.0": "GPL-2.0-only",
    "GPL-3.0": "GPL-3.0-only",
    "LGPL-2.1": "LGPL-2.1-only",
    "LGPL-3.0": "LGPL-3.0-only",
    "AGPL-3.0": "AGPL-3.0-only",
}
_FOLDED = {key.lower(): key for key in (*SPDX_TEXT, *SPDX_ALIASES)}


def canonical_spdx(value: str) -> str | None:
    key = _FOLDED.get(value.strip().lower())
    if key is None:
        return None
    return SPDX_ALIASES.get(key, key)


class LicenceCheck:
    name = "licence"

    def run(self, ctx: ReviewContext) -> Iterator[Finding]:
        manifest_licence = (ctx.manifest or {}).get("license")
        declared = manifest_licence if isinstance(manifest_licence, str) and manifest_licence else None
        submitted = ctx.submission.license or None
        if (
            ctx.submission.source == "issue"
            and declared
            and submitted
            and (canonical_spdx(declared) or declared) != (canonical_spdx(submitted) or submitted)
        ):
            yield rules.L004.at("plugin.json", submitted=submitted, manifest=declared)
        licence = declared or submitted
        if licence is None:
            yield rules.L003.at("plugin.json")
            return
        spdx = canonical_spdx(licence)
        if spdx is None:
            yield rules.L001.at("plugin.json", licence=licence)
            return
        name = find_first(ctx, LICENSE_NAMES)
        if name is None:
            return  # the structure check reports the missing file
        text = " ".join((ctx.tree.text(name) or "").lower().split())
        if not all(phrase in text for phrase in SPDX_TEXT[spdx]):
            yield rules.L002.at(name, licence=spdx)
