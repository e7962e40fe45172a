"""Microsoft Teams adapter: botbuilder (on aiohttp) stays inside this package so its successor can replace it alone."""
