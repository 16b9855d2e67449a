"""Project commands (``COMMANDS_MODULE``): ``scrapy crawl`` with argument checking, and the
archive/store commands."""
