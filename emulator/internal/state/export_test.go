package state

// MessageOrderLen is how many message codes the store keeps in its eviction order.
func MessageOrderLen(s *Store) int {
	s.mu.RLock()
	defer s.mu.RUnlock()
	return len(s.w.msgOrder)
}

// SetTagsChunk is how many tags SetTags applies under one hold of the write lock.
const SetTagsChunk = setTagsChunk

// PauseBetweenTagChunks makes every SetTags call f between two of its chunks, until
// the returned restore is called.
func PauseBetweenTagChunks(f func()) (restore func()) {
	betweenTagChunks = f
	return func() { betweenTagChunks = nil }
}
