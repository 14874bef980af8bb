"""Qt-free core: data, model, training, results, export, persistence."""
