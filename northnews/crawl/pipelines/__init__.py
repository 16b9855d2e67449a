"""Item pipelines (enabled in ``ITEM_PIPELINES``)."""
