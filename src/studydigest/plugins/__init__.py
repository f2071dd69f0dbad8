"""The MkDocs adapter: the digest plugin, the Pagefind search plugin, serve memory."""
