package api

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"unicode/utf8"
)

// reader decodes request bodies without reflection: every call goes through it, so
// it reads the JSON once, copies strings once and slices raw values out of the body
// (the body is never changed after it is read, and the journal keeps it anyway).
// It gives the same results as encoding/json decoding into Request — the fuzz test
// checks that — including its tolerance for keys in another case.
type reader struct {
	b     []byte
	i     int
	depth int
}

// maxDepth bounds nesting, as encoding/json does.
const maxDepth = 10000

// errType marks JSON of the wrong shape (as opposed to errSyntax).
var errType = errors.New("unexpected JSON type")

func (r *reader) syntaxError(what string) error {
	return fmt.Errorf("%w: %s at offset %d", errSyntax, what, r.i)
}

func (r *reader) typeError(field string) error {
	return fmt.Errorf("%w for %s at offset %d", errType, field, r.i)
}

// peek skips white space and returns the next byte (0 at the end).
func (r *reader) peek() byte {
	for r.i < len(r.b) {
		switch c := r.b[r.i]; c {
		case ' ', '\t', '\n', '\r':
			r.i++
		default:
			return c
		}
	}
	return 0
}

// skip reads one value, checking its syntax, and returns its bytes.
func (r *reader) skip() ([]byte, error) {
	c := r.peek()
	start := r.i
	var err error
	switch {
	case c == '"':
		_, _, err = r.scanString()
	case c == '{':
		err = r.object(func([]byte) error { _, err := r.skip(); return err })
	case c == '[':
		err = r.array(func() error { _, err := r.skip(); return err })
	case c == 't':
		err = r.literal("true")
	case c == 'f':
		err = r.literal("false")
	case c == 'n':
		err = r.literal("null")
	case c == '-' || (c >= '0' && c <= '9'):
		err = r.scanNumber()
	case c == 0 && r.i >= len(r.b):
		err = r.syntaxError("unexpected end of JSON input")
	default:
		err = r.syntaxError(fmt.Sprintf("invalid character %q looking for a value", c))
	}
	if err != nil {
		return nil, err
	}
	return r.b[start:r.i], nil
}

func (r *reader) literal(word string) error {
	if !bytes.HasPrefix(r.b[r.i:], []byte(word)) {
		return r.syntaxError("invalid literal")
	}
	r.i += len(word)
	return nil
}

// isNull consumes a null if one comes next.
func (r *reader) isNull() bool {
	if r.peek() == 'n' && bytes.HasPrefix(r.b[r.i:], []byte("null")) {
		r.i += 4
		return true
	}
	return false
}

// scanString reads a string starting at '"'; it reports whether it holds escapes
// and whether it is all ASCII.
func (r *reader) scanString() (escaped, ascii bool, err error) {
	r.i++
	ascii = true
	for r.i < len(r.b) {
		c := r.b[r.i]
		switch {
		case c == '"':
			r.i++
			return escaped, ascii, nil
		case c == '\\':
			escaped = true
			if r.i+1 >= len(r.b) {
				return false, false, r.syntaxError("unexpected end of JSON input")
			}
			switch r.b[r.i+1] {
			case '"', '\\', '/', 'b', 'f', 'n', 'r', 't':
				r.i += 2
			case 'u':
				if r.i+6 > len(r.b) {
					return false, false, r.syntaxError("unexpected end of JSON input")
				}
				for _, h := range r.b[r.i+2 : r.i+6] {
					if !isHex(h) {
						return false, false, r.syntaxError("invalid \\u escape")
					}
				}
				r.i += 6
			default:
				return false, false, r.syntaxError("invalid escape")
			}
		case c < 0x20:
			return false, false, r.syntaxError("control character in string")
		default:
			if c >= utf8.RuneSelf {
				ascii = false
			}
			r.i++
		}
	}
	return false, false, r.syntaxError("unexpected end of JSON input")
}

func isHex(c byte) bool {
	return (c >= '0' && c <= '9') || (c|0x20 >= 'a' && c|0x20 <= 'f')
}

// scanNumber reads -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?
func (r *reader) scanNumber() error {
	if r.b[r.i] == '-' {
		r.i++
	}
	digits := func() int {
		n := 0
		for r.i < len(r.b) && r.b[r.i] >= '0' && r.b[r.i] <= '9' {
			r.i++
			n++
		}
		return n
	}
	if r.i < len(r.b) && r.b[r.i] == '0' {
		r.i++
	} else if digits() == 0 {
		return r.syntaxError("invalid number")
	}
	if r.i < len(r.b) && r.b[r.i] == '.' {
		r.i++
		if digits() == 0 {
			return r.syntaxError("invalid number")
		}
	}
	if r.i < len(r.b) && (r.b[r.i] == 'e' || r.b[r.i] == 'E') {
		r.i++
		if r.i < len(r.b) && (r.b[r.i] == '+' || r.b[r.i] == '-') {
			r.i++
		}
		if digits() == 0 {
			return r.syntaxError("invalid number")
		}
	}
	return nil
}

// object reads an object starting at '{', calling member with each (unescaped) key
// and the reader before the member's value; member must read the value.
func (r *reader) object(member func(key []byte) error) error {
	if r.depth++; r.depth > maxDepth {
		return r.syntaxError("exceeded max depth")
	}
	r.i++
	if r.peek() == '}' {
		r.i++
		r.depth--
		return nil
	}
	for {
		if r.peek() != '"' {
			return r.syntaxError("want a member name")
		}
		start := r.i
		escaped, ascii, err := r.scanString()
		if err != nil {
			return err
		}
		key := r.b[start+1 : r.i-1]
		if escaped || !ascii {
			var s string
			if err := json.Unmarshal(r.b[start:r.i], &s); err != nil {
				return r.syntaxError("invalid member name")
			}
			key = []byte(s)
		}
		if r.peek() != ':' {
			return r.syntaxError("want ':' after a member name")
		}
		r.i++
		if err := member(key); err != nil {
			return err
		}
		switch r.peek() {
		case ',':
			r.i++
		case '}':
			r.i++
			r.depth--
			return nil
		default:
			return r.syntaxError("want ',' or '}' after a member")
		}
	}
}

// array reads an array starting at '[', calling elem before each element; elem
// must read it.
func (r *reader) array(elem func() error) error {
	if r.depth++; r.depth > maxDepth {
		return r.syntaxError("exceeded max depth")
	}
	r.i++
	if r.peek() == ']' {
		r.i++
		r.depth--
		return nil
	}
	for {
		if err := elem(); err != nil {
			return err
		}
		switch r.peek() {
		case ',':
			r.i++
		case ']':
			r.i++
			r.depth--
			return nil
		default:
			return r.syntaxError("want ',' or ']' after an element")
		}
	}
}

// str reads a string value into dst; null leaves dst as it is.
func (r *reader) str(dst *string, field string) error {
	switch r.peek() {
	case 'n':
		if r.isNull() {
			return nil
		}
	case '"':
		start := r.i
		escaped, ascii, err := r.scanString()
		if err != nil {
			return err
		}
		raw := r.b[start+1 : r.i-1]
		if !escaped && (ascii || utf8.Valid(raw)) {
			*dst = string(raw)
			return nil
		}
		// Escapes, or invalid UTF-8 to replace: encoding/json knows how.
		return json.Unmarshal(r.b[start:r.i], dst)
	}
	if _, err := r.skip(); err != nil {
		return err
	}
	return r.typeError(field)
}

// raw reads any value into dst, as its bytes.
func (r *reader) raw(dst *json.RawMessage) error {
	v, err := r.skip()
	if err == nil {
		*dst = v
	}
	return err
}

// custom reads a value and hands it to u, as encoding/json does for Unmarshalers.
func (r *reader) custom(u json.Unmarshaler) error {
	v, err := r.skip()
	if err != nil {
		return err
	}
	return u.UnmarshalJSON(v)
}

// flexStrings reads a list of flexString into dst, reusing its elements as
// encoding/json does; null makes it nil.
func (r *reader) flexStrings(dst *[]flexString, field string) error {
	switch r.peek() {
	case 'n':
		if r.isNull() {
			*dst = nil
			return nil
		}
	case '[':
		s := (*dst)[:0]
		err := r.array(func() error {
			if len(s) < cap(s) {
				s = s[:len(s)+1]
			} else {
				s = append(s, "")
			}
			return r.custom(&s[len(s)-1])
		})
		if s == nil {
			s = []flexString{}
		}
		*dst = s
		return err
	}
	if _, err := r.skip(); err != nil {
		return err
	}
	return r.typeError(field)
}

// fold finds the field name key matches ignoring case, as encoding/json does when no
// field has exactly that name; "" when none.
func fold(key []byte, names []string) string {
	for _, n := range names {
		if bytes.EqualFold(key, []byte(n)) {
			return n
		}
	}
	return ""
}

var envelopeFields = []string{"request"}

// readRequest decodes {"request": {…}} into q, and reports whether the body had a
// request object.
func readRequest(body []byte, q *Request) (bool, error) {
	r := &reader{b: body}
	*q = Request{}
	found := false
	var err error
	switch r.peek() {
	case '{':
		err = r.object(func(key []byte) error {
			if string(key) != "request" && fold(key, envelopeFields) == "" {
				_, err := r.skip()
				return err
			}
			switch r.peek() {
			case 'n':
				if r.isNull() {
					found = false
					return nil
				}
			case '{':
				if !found { // after a null, encoding/json starts a new object
					*q = Request{}
					found = true
				}
				return r.object(func(k []byte) error { return q.read(r, k) })
			}
			if _, err := r.skip(); err != nil {
				return err
			}
			return r.typeError("request")
		})
	case 'n':
		if !r.isNull() {
			_, err = r.skip()
		}
	default:
		if _, err = r.skip(); err == nil {
			err = r.typeError("the body")
		}
	}
	if err == nil {
		if r.peek(); r.i < len(r.b) {
			err = r.syntaxError("invalid character after the top-level value")
		}
	}
	return found, err
}

var requestFields = []string{"auth", "application", "applications_group", "hwid", "push_token", "device_type",
	"language", "timezone", "tz_offset", "userId", "email", "tags", "badge", "badges", "hash", "lat", "lng", "event",
	"attributes", "notifications", "message", "devices_filter", "content", "send_date", "platforms", "data", "tag",
	"name", "title", "description", "conditions", "operator", "request_id", "datefrom", "dateto"}

// read reads the value of the request member key.
func (q *Request) read(r *reader, key []byte) error {
	switch string(key) {
	case "auth":
		return r.str(&q.Auth, "auth")
	case "application":
		return r.str(&q.Application, "application")
	case "applications_group":
		return r.str(&q.ApplicationsGroup, "applications_group")
	case "hwid":
		return r.custom(&q.HWID)
	case "push_token":
		return r.str(&q.PushToken, "push_token")
	case "device_type":
		return r.custom(&q.DeviceType)
	case "language":
		return r.str(&q.Language, "language")
	case "timezone":
		return r.raw(&q.Timezone)
	case "tz_offset":
		return r.custom(&q.TZOffset)
	case "userId":
		return r.custom(&q.UserID)
	case "email":
		return r.str(&q.Email, "email")
	case "tags":
		return r.raw(&q.Tags)
	case "badge":
		return r.custom(&q.Badge)
	case "badges":
		return r.custom(&q.Badges)
	case "hash":
		return r.str(&q.Hash, "hash")
	case "lat":
		return r.custom(&q.Lat)
	case "lng":
		return r.custom(&q.Lng)
	case "event":
		return r.raw(&q.Event)
	case "attributes":
		return r.raw(&q.Attributes)
	case "notifications":
		return r.notifications(&q.Notifications)
	case "message":
		return r.custom(&q.Message)
	case "devices_filter":
		return r.str(&q.DevicesFilter, "devices_filter")
	case "content":
		return r.raw(&q.Content)
	case "send_date":
		return r.str(&q.SendDate, "send_date")
	case "platforms":
		return r.raw(&q.Platforms)
	case "data":
		return r.raw(&q.Data)
	case "tag":
		return r.raw(&q.Tag)
	case "name":
		return r.custom(&q.Name)
	case "title":
		return r.str(&q.Title, "title")
	case "description":
		return r.str(&q.Description, "description")
	case "conditions":
		return r.raw(&q.Conditions)
	case "operator":
		return r.str(&q.Operator, "operator")
	case "request_id":
		return r.str(&q.RequestID, "request_id")
	case "datefrom":
		return r.str(&q.DateFrom, "datefrom")
	case "dateto":
		return r.str(&q.DateTo, "dateto")
	}
	if name := fold(key, requestFields); name != "" {
		return q.read(r, []byte(name))
	}
	_, err := r.skip()
	return err
}

// notifications reads createMessage's list, reusing its elements as encoding/json
// does; null makes it nil.
func (r *reader) notifications(dst *[]Notification) error {
	switch r.peek() {
	case 'n':
		if r.isNull() {
			*dst = nil
			return nil
		}
	case '[':
		s := (*dst)[:0]
		err := r.array(func() error {
			if len(s) < cap(s) {
				s = s[:len(s)+1]
			} else {
				s = append(s, Notification{})
			}
			n := &s[len(s)-1]
			switch r.peek() {
			case 'n':
				if r.isNull() {
					return nil
				}
			case '{':
				return r.object(func(k []byte) error { return n.read(r, k) })
			}
			if _, err := r.skip(); err != nil {
				return err
			}
			return r.typeError("notifications")
		})
		if s == nil {
			s = []Notification{}
		}
		*dst = s
		return err
	}
	if _, err := r.skip(); err != nil {
		return err
	}
	return r.typeError("notifications")
}

var notificationFields = []string{"send_date", "timezone", "content", "platforms", "devices", "users", "filter",
	"conditions", "campaign", "preset", "data", "android_root_params"}

// read reads the value of the notification member key.
func (n *Notification) read(r *reader, key []byte) error {
	switch string(key) {
	case "send_date":
		return r.str(&n.SendDate, "send_date")
	case "timezone":
		return r.raw(&n.Timezone)
	case "content":
		return r.raw(&n.Content)
	case "platforms":
		return r.raw(&n.Platforms)
	case "devices":
		return r.flexStrings(&n.Devices, "devices")
	case "users":
		return r.flexStrings(&n.Users, "users")
	case "filter":
		return r.str(&n.Filter, "filter")
	case "conditions":
		return r.raw(&n.Conditions)
	case "campaign":
		return r.custom(&n.Campaign)
	case "preset":
		return r.custom(&n.Preset)
	case "data":
		return r.raw(&n.Data)
	case "android_root_params":
		return r.raw(&n.AndroidRootParams)
	}
	if name := fold(key, notificationFields); name != "" {
		return n.read(r, []byte(name))
	}
	_, err := r.skip()
	return err
}
