"""Frozen migration steps for the kit's own tables, shared by every service's revisions.

Each module is one step, named with its version; a service's Alembic revision calls its
``upgrade()``/``downgrade()``. A released step's DDL never changes: a change to a kit table is a
new step (``<name>_v2``) and a new revision in every service.
"""
