"""tocsin: news reporting into an auditable, probabilistic assessment of a geopolitical question.

The public surface is small: ingest inputs into a store, then read articles back.
"""

from tocsin.errors import FailureCode, InputError, StoreError, TocsinError
from tocsin.ingest.pipeline import IngestReport, ingest
from tocsin.models import Article, RawItem
from tocsin.store.db import Store

__version__ = "0.1.0"

__all__ = [
    "Article",
    "FailureCode",
    "IngestReport",
    "InputError",
    "RawItem",
    "Store",
    "StoreError",
    "TocsinError",
    "__version__",
    "ingest",
]
