"""Keyword search: query parsing, the SQLite FTS5 adapter, and a portable fallback."""

from paperpath.search.ddl import fts_ddl
from paperpath.search.query import ParsedQuery, QueryError, parse_query
from paperpath.search.types import SearchFilters, SearchHit

__all__ = ["ParsedQuery", "QueryError", "SearchFilters", "SearchHit", "fts_ddl", "parse_query"]
