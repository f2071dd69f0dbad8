"""Records: read YAML with positions, the schema, validation and cross-field rules."""
