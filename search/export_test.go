package search

// BuildRequests exposes the multi-search building to the benchmarks.
func (s *Service) BuildRequests(q Query) int {
	reqs, _ := s.requests(q.normalized())
	return len(reqs)
}
