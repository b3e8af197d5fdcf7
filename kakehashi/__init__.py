"""Kakehashi's shared core: company records, list readers, taxonomy, features, model, registry."""
