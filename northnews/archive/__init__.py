"""The archive: WARC capture, the digest index, CDXJ indexes, and replay (mirror or WARC)."""
