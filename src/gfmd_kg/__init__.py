"""gfmd-kg: a knowledge graph and SPARQL service on labour migration and skills."""

from __future__ import annotations

__version__ = "0.1.0"
