"""Order files in: the platforms' export formats, read into our orders through the services."""
