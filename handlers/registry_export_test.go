package handlers

import "katalogpes/store"

// UseRegistries points a test's server at registry clients (replayed).
func (s *Server) UseRegistries(r *store.Registries) { s.registries = r }
