"""Route handlers, one module per kind of page; `web.app` puts them together."""
