"""Offline stand-ins for three ways of adapting an LLM support assistant (see README.md)."""
