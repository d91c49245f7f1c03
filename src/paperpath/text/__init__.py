"""Text analysis of papers: sentences, tokens, LaTeX clean-up, and the reading-guide models."""
