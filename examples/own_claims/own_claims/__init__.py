"""An example claims package for lossgeom: its claims are in :mod:`own_claims.claims`."""
