"""integrations/simulator."""
