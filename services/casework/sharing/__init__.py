"""What of a case is shared beyond its lead organisation and team: read grants to other
organisations, and the legal bases that let the network share without the person's consent."""
