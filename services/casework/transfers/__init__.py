"""Transfers of a case to another lead organisation: asked by the lead, answered by the
receiving organisation's supervisor."""
