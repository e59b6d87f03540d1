"""Business rules, one module per area. Each public function enforces the rule its docstring
states, writes its audit events, and flushes; it never commits and never touches the request."""
