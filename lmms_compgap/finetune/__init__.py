"""The fine-tuning recipe: composition training data, its export, training with TRL, and its provenance."""
