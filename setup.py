"""Build hook for the optional compiled parts (everything else is in pyproject.toml).

The extension is optional: where no C compiler or Python headers are found, the install goes
on and Samen runs the same code in pure Python (docs/adr/0107-compiled-rule-matcher.md). The
build records a digest of the C source, so that a checkout updated without reinstalling does
not run an older compiled loop (samen.understanding.rules.match checks it at import).
"""

import hashlib
from pathlib import Path

from setuptools import Extension, setup

SOURCE = "samen/understanding/_speedups.c"
DIGEST = hashlib.sha256((Path(__file__).resolve().parent / SOURCE).read_bytes()).hexdigest()

setup(
    ext_modules=[
        Extension(
            "samen.understanding._speedups",
            [SOURCE],
            define_macros=[("SAMEN_SOURCE_DIGEST", f'"{DIGEST}"')],
            optional=True,
        )
    ]
)
