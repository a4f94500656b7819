package state

import (
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/pwemu/pwemu/emulator/catalog"
)

// Pushwoosh tag types.
const (
	TagInteger = 1
	TagString  = 2
	TagList    = 3
	TagDate    = 4
	TagBoolean = 5
	TagDecimal = 6
	TagVersion = 7
)

var tagTypeNames = map[int]string{TagInteger: "integer", TagString: "string", TagList: "list",
	TagDate: "date", TagBoolean: "boolean", TagDecimal: "decimal", TagVersion: "version"}

// TagTypeName is the name of a tag type ("integer", "string", …), "" when unknown.
func TagTypeName(t int) string { return tagTypeNames[t] }

// TagDef is a tag definition of an account (addTag, listTags).
type TagDef struct {
	Name                string `json:"name"`
	Type                int    `json:"type"`
	ApplicationSpecific bool   `json:"isApplicationSpecific"`
}

// Skipped is a tag setTags could not set, with why.
type Skipped struct {
	Tag    string `json:"tag"`
	Reason string `json:"reason"`
}

// defaultTags are the tags every Pushwoosh account has.
func defaultTags() map[string]TagDef {
	m := map[string]TagDef{}
	for _, t := range []TagDef{
		{Name: "Language", Type: TagString}, {Name: "Country", Type: TagString}, {Name: "City", Type: TagString},
		{Name: "Application Version", Type: TagVersion, ApplicationSpecific: true},
		{Name: "Device Model", Type: TagString}, {Name: "OS Version", Type: TagVersion},
		{Name: "First Install", Type: TagDate, ApplicationSpecific: true},
		{Name: "Last Application Open", Type: TagDate, ApplicationSpecific: true},
		{Name: "User ID", Type: TagString}, {Name: "Push Alerts Enabled", Type: TagBoolean, ApplicationSpecific: true},
	} {
		m[t.Name] = t
	}
	return m
}

// AddTag defines a tag in an account; ErrExists when the name is taken.
func (s *Store) AddTag(accountID string, t TagDef) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if acc, ok := s.w.accounts[accountID]; ok && len(acc.tags) >= s.limits.TagsPerAccount {
		if _, taken := acc.tags[t.Name]; !taken {
			return fmt.Errorf("account %q has %d tags: %w", accountID, len(acc.tags), ErrLimit)
		}
	}
	return addNamed(s, accountID, "tag", t.Name, func(a *account) map[string]TagDef { return a.tags }, t)
}

// DeleteTag removes a tag definition of an account and its values on the account's
// devices; ErrNotFound when there is no such tag.
func (s *Store) DeleteTag(accountID, name string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if err := deleteNamed(s, accountID, "tag", name, func(a *account) map[string]TagDef { return a.tags }); err != nil {
		return err
	}
	for _, a := range s.w.apps {
		if a.AccountID == accountID {
			for _, d := range a.devices {
				delete(d.Tags, name)
			}
		}
	}
	return nil
}

// Tags lists the tag definitions of an account, by name.
func (s *Store) Tags(accountID string) []TagDef {
	s.mu.RLock()
	defer s.mu.RUnlock()
	return listNamed(s, accountID, func(a *account) map[string]TagDef { return a.tags }, func(t TagDef) string { return t.Name })
}

// HasTag reports whether an account defines a tag.
func (s *Store) HasTag(accountID, name string) bool {
	s.mu.RLock()
	defer s.mu.RUnlock()
	acc, ok := s.w.accounts[accountID]
	if !ok {
		return false
	}
	_, ok = acc.tags[name]
	return ok
}

// SetTags sets tag values on a device, creating the device record when it is
// unknown. A null value removes the tag. Tags the account does not define yet are
// defined with the type of their value (the emulator is lenient where Pushwoosh
// would want addTag first); values that do not fit their tag's type are skipped.
//
// A request body can carry hundreds of thousands of tags, so SetTags does not hold
// the store's write lock for the whole call: names are sorted and values converted
// before locking, then applied setTagsChunk at a time, the lock released between
// chunks so other applications' calls go on meanwhile. Pushwoosh documents setTags
// as asynchronous (200 OK means the request is queued), so a reader seeing some of
// the tags applied and not yet the others is what a client of Pushwoosh sees too.
// Each chunk is applied as a setTags of its own tags would be: the application and
// the device are looked up again, so a device deleted meanwhile is made again.
func (s *Store) SetTags(application, hwid string, tags map[string]any, now time.Time) ([]Skipped, error) {
	prepared := prepareTags(tags, now)
	var skipped []Skipped
	for start := 0; start == 0 || start < len(prepared); start += setTagsChunk {
		if start > 0 && betweenTagChunks != nil {
			betweenTagChunks()
		}
		chunk := prepared[start:min(start+setTagsChunk, len(prepared))]
		sk, err := s.setTagsChunk(application, hwid, chunk, now)
		if err != nil {
			return nil, err
		}
		skipped = append(skipped, sk...)
	}
	return skipped, nil
}

// setTagsChunk is how many tags SetTags applies under one hold of the write lock.
const setTagsChunk = 1000

// betweenTagChunks, when set (by tests), runs between two chunks of a SetTags,
// while the store's lock is not held.
var betweenTagChunks func()

func (s *Store) setTagsChunk(application, hwid string, chunk []preparedTag, now time.Time) ([]Skipped, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	a, acc, err := s.appLocked(application)
	if err != nil {
		return nil, err
	}
	d, ok := a.devices[hwid]
	if !ok {
		if len(a.devices) >= s.limits.DevicesPerApp {
			return nil, fmt.Errorf("application %q has %d devices: %w", application, len(a.devices), ErrLimit)
		}
		d = &Device{Application: application, HWID: hwid}
		a.devices[hwid] = d
	}
	return applyTagsLocked(acc, d, chunk, now, s.limits.TagsPerAccount), nil
}

// DeviceTags returns the tag values of a device; ErrNotFound when the application is
// unknown. An unknown device has no tags.
func (s *Store) DeviceTags(application, hwid string) (map[string]any, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	a, _, err := s.appLocked(application)
	if err != nil {
		return nil, err
	}
	out := map[string]any{}
	if d, ok := a.devices[hwid]; ok {
		for k, v := range d.Tags {
			if l, ok := v.([]string); ok {
				v = slices.Clone(l)
			}
			out[k] = v
		}
	}
	return out, nil
}

// setTagsLocked sets tags on d, defining the account's unknown ones while it has
// fewer than maxTags definitions.
func setTagsLocked(acc *account, d *Device, tags map[string]any, now time.Time, maxTags int) []Skipped {
	return applyTagsLocked(acc, d, prepareTags(tags, now), now, maxTags)
}

// preparedTag is one tag of a setTags, converted as far as it can be without the
// store: value is v converted to the type inferred from it (valueOK false when that
// fails or v is an operation, which needs the current value).
type preparedTag struct {
	name     string
	v        any
	inferred int
	value    any
	valueOK  bool
}

// prepareTags sorts tags by name and converts their values to the types they would
// define, so that the work under the store's lock is mostly map updates.
func prepareTags(tags map[string]any, now time.Time) []preparedTag {
	out := make([]preparedTag, 0, len(tags))
	for name, v := range tags {
		p := preparedTag{name: name, v: v}
		if v != nil {
			p.inferred = inferTagType(v)
			if _, op := v.(map[string]any); !op && p.inferred != 0 {
				p.value, p.valueOK = coerceTag(p.inferred, v, nil, now)
			}
		}
		out = append(out, p)
	}
	slices.SortFunc(out, func(a, b preparedTag) int { return strings.Compare(a.name, b.name) })
	return out
}

// applyTagsLocked sets prepared tags on d, defining the account's unknown ones while
// it has fewer than maxTags definitions.
func applyTagsLocked(acc *account, d *Device, tags []preparedTag, now time.Time, maxTags int) []Skipped {
	var skipped []Skipped
	for _, p := range tags {
		name, v := p.name, p.v
		if v == nil {
			delete(d.Tags, name)
			continue
		}
		def, ok := acc.tags[name]
		if !ok {
			if p.inferred == 0 {
				skipped = append(skipped, Skipped{Tag: name, Reason: "Unsupported tag value: use a number, string, boolean or list"})
				continue
			}
			if len(acc.tags) >= maxTags {
				skipped = append(skipped, Skipped{Tag: name, Reason: catalog.MsgTagLimit})
				continue
			}
			def = TagDef{Name: name, Type: p.inferred}
			acc.tags[name] = def
		}
		val, ok := p.value, p.valueOK
		if !ok || def.Type != p.inferred {
			// An operation, or a value of another type than its tag's.
			val, ok = coerceTag(def.Type, v, d.Tags[name], now)
		}
		if !ok {
			reason := "Value does not match the tag type (" + TagTypeName(def.Type) + ")"
			if val == errIncrementOverflow {
				reason = "Increment overflows the integer tag"
			}
			skipped = append(skipped, Skipped{Tag: name, Reason: reason})
			continue
		}
		if d.Tags == nil {
			d.Tags = map[string]any{}
		}
		d.Tags[name] = val
	}
	return skipped
}

func inferTagType(v any) int {
	switch v := v.(type) {
	case bool:
		return TagBoolean
	case json.Number:
		if _, err := v.Int64(); err == nil {
			return TagInteger
		}
		return TagDecimal
	case float64:
		if v == float64(int64(v)) {
			return TagInteger
		}
		return TagDecimal
	case int, int64:
		return TagInteger
	case string:
		return TagString
	case []any, []string:
		return TagList
	case map[string]any:
		if op, _ := v["operation"].(string); op == "append" || op == "remove" {
			return TagList
		} else if op == "increment" {
			return TagInteger
		}
	}
	return 0
}

// coerceTag converts a setTags value to the stored value of a tag of type t; old is
// the current value (for list and increment operations).
func coerceTag(t int, v, old any, now time.Time) (any, bool) {
	if op, ok := v.(map[string]any); ok {
		return applyTagOperation(t, op, old)
	}
	switch t {
	case TagInteger:
		return toInt(v)
	case TagDecimal:
		return toFloat(v)
	case TagString:
		if _, ok := v.(string); ok {
			return v, true // already a string: no new boxing
		}
		return toScalarString(v)
	case TagVersion:
		s, ok := toScalarString(v)
		return s, ok && isVersion(s)
	case TagBoolean:
		switch v := v.(type) {
		case bool:
			return v, true
		case json.Number, float64, int, int64:
			n, ok := toInt(v)
			return n != 0, ok && (n == 0 || n == 1)
		case string:
			b, err := strconv.ParseBool(v)
			return b, err == nil
		}
	case TagDate:
		return toDate(v, now)
	case TagList:
		return toList(v)
	}
	return nil, false
}

// errIncrementOverflow is what applyTagOperation yields (not ok) for an increment
// past the int64 range, so setTags skips the tag with its own reason.
var errIncrementOverflow = errors.New("increment overflows int64")

func applyTagOperation(t int, op map[string]any, old any) (any, bool) {
	name, _ := op["operation"].(string)
	switch {
	case t == TagList && (name == "append" || name == "remove"):
		add, ok := toList(op["value"])
		if !ok {
			return nil, false
		}
		cur, _ := old.([]string)
		// Sets keep long lists linear: this runs under the store's write lock.
		if name == "append" {
			has := make(map[string]bool, len(cur))
			for _, x := range cur {
				has[x] = true
			}
			cur = slices.Clone(cur)
			for _, x := range add.([]string) {
				if !has[x] {
					has[x] = true
					cur = append(cur, x)
				}
			}
			return cur, true
		}
		drop := map[string]int{} // each removed value takes out one (the first) occurrence
		for _, x := range add.([]string) {
			drop[x]++
		}
		return slices.DeleteFunc(slices.Clone(cur), func(x string) bool {
			if drop[x] > 0 {
				drop[x]--
				return true
			}
			return false
		}), true
	case t == TagInteger && name == "increment":
		by, ok := toInt(op["value"])
		if !ok {
			return nil, false
		}
		cur, _ := old.(int64)
		sum := cur + by.(int64)
		if (by.(int64) > 0 && sum < cur) || (by.(int64) < 0 && sum > cur) {
			return errIncrementOverflow, false
		}
		return sum, true
	}
	return nil, false
}

func toInt(v any) (any, bool) {
	switch v := v.(type) {
	case json.Number:
		if n, err := v.Int64(); err == nil {
			return n, true
		}
		f, err := v.Float64()
		if err == nil && f == float64(int64(f)) {
			return int64(f), true
		}
	case float64:
		if v == float64(int64(v)) {
			return int64(v), true
		}
	case int:
		return int64(v), true
	case int64:
		return v, true
	case string:
		n, err := strconv.ParseInt(strings.TrimSpace(v), 10, 64)
		return n, err == nil
	}
	return nil, false
}

func toFloat(v any) (any, bool) {
	switch v := v.(type) {
	case json.Number:
		f, err := v.Float64()
		return f, err == nil
	case float64:
		return v, true
	case int:
		return float64(v), true
	case int64:
		return float64(v), true
	case string:
		f, err := strconv.ParseFloat(strings.TrimSpace(v), 64)
		return f, err == nil
	}
	return nil, false
}

func toScalarString(v any) (string, bool) {
	switch v := v.(type) {
	case string:
		return v, true
	case json.Number:
		return v.String(), true
	case float64:
		return strconv.FormatFloat(v, 'f', -1, 64), true
	case int:
		return strconv.Itoa(v), true
	case int64:
		return strconv.FormatInt(v, 10), true
	case bool:
		return strconv.FormatBool(v), true
	}
	return "", false
}

func toList(v any) (any, bool) {
	switch v := v.(type) {
	case []string:
		return slices.Clone(v), true
	case []any:
		out := make([]string, 0, len(v))
		for _, x := range v {
			s, ok := toScalarString(x)
			if !ok {
				return nil, false
			}
			out = append(out, s)
		}
		return out, true
	case string:
		return []string{v}, true
	}
	return nil, false
}

// Date tags are kept as "YYYY-MM-DD HH:mm", as Pushwoosh shows them.
const dateLayout = "2006-01-02 15:04"

func toDate(v any, now time.Time) (any, bool) {
	if s, ok := v.(string); ok {
		for _, layout := range []string{dateLayout, "2006-01-02 15:04:05", "2006-01-02", time.RFC3339} {
			if t, err := time.Parse(layout, strings.TrimSpace(s)); err == nil {
				return t.UTC().Format(dateLayout), true
			}
		}
		if s == "now" {
			return now.UTC().Format(dateLayout), true
		}
		return nil, false
	}
	n, ok := toInt(v)
	if !ok {
		return nil, false
	}
	return time.Unix(n.(int64), 0).UTC().Format(dateLayout), true
}

func isVersion(s string) bool {
	if s == "" {
		return false
	}
	for part := range strings.SplitSeq(s, ".") {
		if _, err := strconv.ParseUint(part, 10, 32); err != nil {
			return false
		}
	}
	return true
}
