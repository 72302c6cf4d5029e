"""The ground floor of kiosk: plain Python shared by every area (no Flask)."""
