package handlers

// PageCacheStats lets the tests see whether a page was kept: the bytes
// held and the groups (listings, homes) kept.
func (s *Server) PageCacheStats() (bytes, groups int) { return s.pages.stats() }
