"""transync keeps a multilingual Markdown site in sync across languages.

The package is a library first: :mod:`transync.site` loads a site's
configuration, :mod:`transync.scan` reads its documents and
:mod:`transync.status` tells the translation state of every document.
:mod:`transync.cli` is a thin command line over them.
"""

__version__ = "0.1.0"
