"""Files out: model files (.cfmodel) and CSV/TSV exports, each written atomically."""
