"""Every query the service makes lives here, in plain functions. Views and services call these;
they never build queries of their own. Grantee scoping to one organisation happens here too."""
