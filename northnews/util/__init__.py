"""Small shared helpers with no northnews imports: the clock, URL keys, digests."""
