package state

// MessageOrderLen is how many message codes the store keeps in its eviction order.
func MessageOrderLen(s *Store) int {
	s.mu.RLock()
	defer s.mu.RUnlock()
	return len(s.w.msgOrder)
}
