"""The report's name and version: what every reader checks first.

Apart from :mod:`pytest_archgate.report.schema` (which re-exports both), so that writing a
report does not import the schema's types: a linked pytest run builds one for its terminal
section, and the types cost about ten million instructions to create (issue 12).
"""

from typing import Literal

SCHEMA: Literal["pytest-archgate/report"] = "pytest-archgate/report"
"""The value of a report's ``schema`` key."""

VERSION = 1
"""The newest report version this archgate writes and reads (older ones are read too)."""
