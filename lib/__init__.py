"""Pure helpers with no Django models: parsing and checking what offices type."""
