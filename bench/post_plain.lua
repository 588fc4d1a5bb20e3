-- A plain POST with no body, for the bare INSERT view.
wrk.method = "POST"
