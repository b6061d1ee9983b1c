"""Simulated card transactions and the three candidate fraud-scoring models of ADR-0002."""
