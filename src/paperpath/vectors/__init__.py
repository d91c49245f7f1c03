"""Paper vectors: embedding the library (incremental, resumable) and searching the vectors."""
