"""Matching typed words against text columns: full text and trigrams on PostgreSQL, LIKE elsewhere."""

from __future__ import annotations

import functools
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.contrib.postgres.search import SearchQuery, SearchRank, SearchVector, TrigramWordSimilarity
from django.db import connections
from django.db.models import F, FloatField, Q, QuerySet, Value
from django.db.models.expressions import Expression
from django.db.models.functions import Coalesce, Greatest

MAX_TERMS = 8
# word_similarity of a misspelt word to the closest word of a name ("sembng" ~ "Sembung" is 0.71).
TRIGRAM_THRESHOLD = 0.55
_WORD = re.compile(r"[^\W_]+")


@dataclass(frozen=True)
class SearchText:
    """A cleaned query: the whole text (for substring matches) and its words (for full text)."""

    text: str
    terms: tuple[str, ...]

    @classmethod
    def parse(cls, text: str) -> SearchText:
        return cls(text=text, terms=tuple(_WORD.findall(text.lower()))[:MAX_TERMS])


@functools.cache
def trigram_available(alias: str) -> bool:
    """Whether pg_trgm is installed (checked once per process: installing it needs a restart to be used)."""
    connection = connections[alias]
    if connection.vendor != "postgresql":
        return False
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_extension WHERE extname = 'pg_trgm'")
        return cursor.fetchone() is not None


def text_match(
    qs: QuerySet[Any], *, fields: Sequence[str], query: SearchText, fuzzy: Sequence[str] = ()
) -> QuerySet[Any]:
    """Rows where a field contains the text; on PostgreSQL also rows whose words start with every typed
    word (any order) and, with pg_trgm, rows where a `fuzzy` field nearly matches. Annotates
    `search_rank`, higher for better matches (always 0 on SQLite)."""
    contains = Q()
    for name in fields:
        contains |= Q(**{f"{name}__icontains": query.text})
    if connections[qs.db].vendor != "postgresql":
        return qs.filter(contains).annotate(search_rank=Value(0.0, output_field=FloatField()))
    matched = contains
    rank: Expression = Value(0.0, output_field=FloatField())
    if query.terms:
        # 'simple': Indonesian has no stock configuration; words are only lower-cased, never stemmed.
        tsquery = SearchQuery(" & ".join(f"'{term}':*" for term in query.terms), search_type="raw", config="simple")
        vector = SearchVector(*fields, config="simple")
        qs = qs.annotate(search_document=vector)
        matched |= Q(search_document=tsquery)
        rank = SearchRank(F("search_document"), tsquery)
    if fuzzy and trigram_available(qs.db):
        similarities = [Coalesce(TrigramWordSimilarity(query.text, name), 0.0) for name in fuzzy]
        similarity = similarities[0] if len(similarities) == 1 else Greatest(*similarities)
        qs = qs.annotate(search_similarity=similarity)
        matched |= Q(search_similarity__gte=TRIGRAM_THRESHOLD)
        rank = rank + F("search_similarity")
    return qs.filter(matched).annotate(search_rank=rank)
