package state

import (
	"bytes"
	"fmt"
	"slices"
	"time"
)

// Bounds on what the audience API keeps: past them the oldest jobs and exports are
// forgotten (their status and files answer "not found").
const (
	MaxBulkJobs = 1000
	MaxExports  = 100
)

// Bulk job statuses.
const (
	BulkPending   = "Pending"
	BulkCompleted = "Completed"
)

// Row statuses of a bulk job.
const (
	RowSuccess  = "success"
	RowNotFound = "not_found"
	RowFailed   = "failed"
)

// BulkJob is an asynchronous audience job (bulkSetTags, bulkRegisterDevice): pending
// until the emulator clock reaches Due, then completed with a result per row.
type BulkJob struct {
	ID          string
	Kind        string // the method
	AccountID   string
	Application string
	Status      string
	Created     time.Time
	Due         time.Time
	Rows        []BulkRow // set when completed
}

// BulkRow is what a job did with one row of its request.
type BulkRow struct {
	Row       int      `json:"row"` // index in the request's devices, from 0
	HWID      string   `json:"hwid,omitempty"`
	UserID    string   `json:"user_id,omitempty"`
	PushToken string   `json:"push_token,omitempty"`
	Status    string   `json:"status"`
	Errors    []string `json:"errors,omitempty"`
}

// Export is a segment export: the ZIP file of the devices a segment selected.
type Export struct {
	ID        string
	AccountID string
	Filename  string // the name in the download URL
	Zip       []byte
	Devices   int
	Created   time.Time
}

// AddBulkJob stores a pending job; the oldest job is forgotten past MaxBulkJobs.
func (s *Store) AddBulkJob(j BulkJob) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	a := &s.w.admin
	if _, ok := a.bulk[j.ID]; ok {
		return fmt.Errorf("bulk job %q: %w", j.ID, ErrExists)
	}
	if len(a.bulkOrder) >= MaxBulkJobs {
		delete(a.bulk, a.bulkOrder[0])
		a.bulkOrder = slices.Delete(a.bulkOrder, 0, 1)
	}
	j.Status = BulkPending
	a.bulk[j.ID] = &j
	a.bulkOrder = append(a.bulkOrder, j.ID)
	return nil
}

// BulkJob returns a job of an account by kind and id.
func (s *Store) BulkJob(accountID, kind, id string) (BulkJob, bool) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	j, ok := s.w.admin.bulk[id]
	if !ok || j.AccountID != accountID || j.Kind != kind {
		return BulkJob{}, false
	}
	c := *j
	c.Rows = slices.Clone(j.Rows)
	return c, true
}

// CompleteBulkJob records a job's rows and completes it.
func (s *Store) CompleteBulkJob(id string, rows []BulkRow) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if j, ok := s.w.admin.bulk[id]; ok {
		j.Rows, j.Status = rows, BulkCompleted
	}
}

// AddExport stores an export; the oldest is forgotten past MaxExports.
func (s *Store) AddExport(e Export) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	a := &s.w.admin
	if _, ok := a.exports[e.ID]; ok {
		return fmt.Errorf("export %q: %w", e.ID, ErrExists)
	}
	if len(a.exportOrder) >= MaxExports {
		delete(a.exports, a.exportOrder[0])
		a.exportOrder = slices.Delete(a.exportOrder, 0, 1)
	}
	e.Zip = bytes.Clone(e.Zip)
	a.exports[e.ID] = &e
	a.exportOrder = append(a.exportOrder, e.ID)
	return nil
}

// Export returns an export by id; the download URL names it without an account.
func (s *Store) Export(id string) (Export, bool) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	e, ok := s.w.admin.exports[id]
	if !ok {
		return Export{}, false
	}
	return *e, true // Zip is never changed after AddExport
}
