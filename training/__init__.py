"""Kakehashi training: company lists in, versioned partner-matching model out."""
