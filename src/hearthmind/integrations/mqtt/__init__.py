"""integrations/mqtt."""
