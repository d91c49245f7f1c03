"""The reading guide: what a beginner needs before, while and after reading one paper."""
