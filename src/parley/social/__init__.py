"""How members shape their social graph: followed and featured hashtags, endorsed accounts,
private notes on accounts, follow suggestions and the profile directory."""
