"""lossgeom.symbolic: exact SymPy derivations."""
