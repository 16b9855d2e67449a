"""Operations: the store of record, incremental runs, cron runs, exports."""
