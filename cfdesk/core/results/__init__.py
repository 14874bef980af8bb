"""Using a trained model: recommendations, neighbours, fold-in, item facts, the PCA map, top-N quality."""
