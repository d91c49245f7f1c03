"""Related papers: embeddings, nearest neighbours and the map of the field."""
