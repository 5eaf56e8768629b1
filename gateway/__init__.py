"""LGNet's gateway: the one door in front of the services (see ``gateway.app``)."""
