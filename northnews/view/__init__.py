"""The archive as a place to read: ``northnews serve`` (a local, read-only web view of the store,
the runs and the WARCs' images), its pages (:mod:`.app`), data (:mod:`.data`), plots
(:mod:`.charts`) and version diffs (:mod:`.diff`)."""
