"""Keyword search: query parsing, the sharded SQLite FTS5 index, and a portable fallback."""

from paperpath.search.query import ParsedQuery, QueryError, parse_query
from paperpath.search.types import SearchFilters, SearchHit

__all__ = ["ParsedQuery", "QueryError", "SearchFilters", "SearchHit", "parse_query"]
