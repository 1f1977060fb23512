"""Build hook for the optional compiled parts (everything else is in pyproject.toml).

The extension is optional: where no C compiler or Python headers are found, the install goes
on and Samen runs the same code in pure Python (docs/adr/0107-compiled-rule-matcher.md).
"""

from setuptools import Extension, setup

setup(
    ext_modules=[
        Extension(
            "samen.understanding.rules._speedups",
            ["samen/understanding/rules/_speedups.c"],
            optional=True,
        )
    ]
)
