"""councilcode: find reusable open-source code written by UK councils.

One package in layers that import downwards only (the contract is in pyproject.toml, checked in CI):

    councilcode.cli                         the click commands and the jobs they run (crawl + index, schedule)
    councilcode.web                         the viewer and JSON API
    councilcode.crawler  councilcode.indexer  the two stages: GitHub -> catalogue, catalogue -> Whoosh index
    councilcode.records, .catalogue, .licences, .config, .settings, ...   what every stage shares

In the repository the stages are the top-level folders crawler/, indexer/ and web/; pyproject.toml maps them into
this package, so an installed councilcode holds exactly one top-level package.
"""

import pathlib as _pathlib

__version__ = "0.1.0"

# In a source checkout the stage folders sit beside this one rather than inside it. Python finds this folder first
# when it runs from the checkout (`python -m pytest` puts the current directory on sys.path), even where councilcode
# was installed with `pip install .`; naming the checkout here lets `councilcode.crawler` resolve there too.
_checkout = _pathlib.Path(__file__).resolve().parent.parent
if (_checkout / "pyproject.toml").is_file() and (_checkout / "crawler" / "__init__.py").is_file():
    __path__.append(str(_checkout))
