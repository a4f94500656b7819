package api

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"
)

// Request is the "request" object of a v1.3 call: the union of the fields the
// emulated methods read, decoded by encoding/json in one pass. Real client libraries disagree on
// details, so the decoder is tolerant: unknown fields are ignored, null is the same
// as absent, and numbers may come as strings (and ids as numbers). Fields whose type
// varies between methods stay raw until a method reads them.
type Request struct {
	Auth              string `json:"auth"`
	Application       string `json:"application"`
	ApplicationsGroup string `json:"applications_group"`

	// Devices.
	HWID       flexString      `json:"hwid"`
	PushToken  string          `json:"push_token"`
	DeviceType flexInt         `json:"device_type"`
	Language   string          `json:"language"`
	Timezone   json.RawMessage `json:"timezone"` // seconds on device calls, a zone name on messages
	TZOffset   flexInt         `json:"tz_offset"`
	UserID     flexString      `json:"userId"`
	Email      string          `json:"email"`
	Tags       json.RawMessage `json:"tags"`
	Badge      flexInt         `json:"badge"`
	Badges     flexInt         `json:"badges"` // some clients spell it so
	Hash       string          `json:"hash"`
	Lat        flexFloat       `json:"lat"`
	Lng        flexFloat       `json:"lng"`
	Event      json.RawMessage `json:"event"` // a name on postEvent, an object on createEvent
	Attributes json.RawMessage `json:"attributes"`

	// Messages.
	Notifications []Notification  `json:"notifications"`
	Message       flexString      `json:"message"` // a message code
	DevicesFilter string          `json:"devices_filter"`
	Content       json.RawMessage `json:"content"`
	SendDate      string          `json:"send_date"`
	Platforms     json.RawMessage `json:"platforms"`
	Data          json.RawMessage `json:"data"`

	// Tags, filters, events, applications, statistics.
	Tag         json.RawMessage `json:"tag"`
	Name        flexString      `json:"name"`
	Title       string          `json:"title"`
	Description string          `json:"description"`
	Conditions  json.RawMessage `json:"conditions"`
	Operator    string          `json:"operator"`
	RequestID   string          `json:"request_id"`
	DateFrom    string          `json:"datefrom"`
	DateTo      string          `json:"dateto"`
}

// Notification is one entry of createMessage's notifications.
type Notification struct {
	SendDate          string          `json:"send_date"`
	Timezone          json.RawMessage `json:"timezone"`
	Content           json.RawMessage `json:"content"`
	Platforms         json.RawMessage `json:"platforms"`
	Devices           []flexString    `json:"devices"`
	Users             []flexString    `json:"users"`
	Filter            string          `json:"filter"`
	Conditions        json.RawMessage `json:"conditions"`
	Campaign          flexString      `json:"campaign"`
	Preset            flexString      `json:"preset"`
	Data              json.RawMessage `json:"data"`
	AndroidRootParams json.RawMessage `json:"android_root_params"`
}

// errSyntax marks a body that is not JSON at all.
var errSyntax = errors.New("the body is not JSON")

// decodeRequest reads a v1.3 body, {"request": {…}}, into q with encoding/json. It
// tells a body that is not JSON (errSyntax: the journal then keeps it as a string)
// from JSON of the wrong shape; both are a bad request.
func decodeRequest(body []byte, q *Request) error {
	var env struct {
		Request *Request `json:"request"`
	}
	if err := json.Unmarshal(body, &env); err != nil {
		var syntax *json.SyntaxError // json.Unmarshal checks the syntax before the types
		if errors.As(err, &syntax) {
			return fmt.Errorf("%w: %v", errSyntax, err)
		}
		return err
	}
	if env.Request == nil {
		return errors.New(`the body has no "request" object`)
	}
	*q = *env.Request
	return nil
}

// flexString is a string that may come as a JSON number (user ids, hwids).
type flexString string

func (f *flexString) UnmarshalJSON(b []byte) error {
	switch {
	case len(b) > 0 && b[0] == '"':
		if bytes.IndexByte(b, '\\') < 0 {
			*f = flexString(b[1 : len(b)-1])
			return nil
		}
		var s string
		if err := json.Unmarshal(b, &s); err != nil {
			return err
		}
		*f = flexString(s)
	case string(b) == "null":
	case len(b) > 0 && (b[0] == '-' || (b[0] >= '0' && b[0] <= '9')):
		*f = flexString(b)
	default:
		return fmt.Errorf("want a string, got %.20s", b)
	}
	return nil
}

// flexInt is an integer that may come as a string ("3") or as an integral float.
type flexInt struct {
	V   int64
	Set bool
}

// numberText is the text of a number that may come bare or quoted; ok is false for
// null and for an empty string, which leave the value unset.
func numberText(b []byte) (text string, ok bool) {
	s := string(b)
	if s == "null" {
		return "", false
	}
	if len(s) >= 2 && s[0] == '"' {
		s = strings.TrimSpace(s[1 : len(s)-1])
	}
	return s, s != ""
}

func (f *flexInt) UnmarshalJSON(b []byte) error {
	s, ok := numberText(b)
	if !ok {
		return nil
	}
	if n, err := strconv.ParseInt(s, 10, 64); err == nil {
		*f = flexInt{V: n, Set: true}
		return nil
	}
	if x, err := strconv.ParseFloat(s, 64); err == nil && x == float64(int64(x)) {
		*f = flexInt{V: int64(x), Set: true}
		return nil
	}
	return fmt.Errorf("want an integer, got %.20s", b)
}

// flexFloat is a number that may come as a string ("55.75").
type flexFloat struct {
	V   float64
	Set bool
}

func (f *flexFloat) UnmarshalJSON(b []byte) error {
	s, ok := numberText(b)
	if !ok {
		return nil
	}
	x, err := strconv.ParseFloat(s, 64)
	if err != nil || math.IsNaN(x) || math.IsInf(x, 0) { // ParseFloat takes "NaN" and "Inf"
		return fmt.Errorf("want a number, got %.20s", b)
	}
	*f = flexFloat{V: x, Set: true}
	return nil
}

// isNull reports an absent or null raw field.
func isNull(raw json.RawMessage) bool {
	return len(raw) == 0 || string(raw) == "null"
}

// parseIntList reads a list of integers (numbers or numeric strings). It reports
// whether the field was set (absent and null are not); a set field that is not such
// a list is an error.
func parseIntList(raw json.RawMessage) (list []int, set bool, err error) {
	if isNull(raw) {
		return nil, false, nil
	}
	s := strings.TrimSpace(string(raw))
	if len(s) < 2 || s[0] != '[' || s[len(s)-1] != ']' {
		return nil, true, fmt.Errorf("want a list of numbers, got %.30s", s)
	}
	inner := strings.TrimSpace(s[1 : len(s)-1])
	list = make([]int, 0, strings.Count(inner, ",")+1)
	if inner == "" {
		return list, true, nil
	}
	for rest, more := inner, true; more; {
		var part string
		part, rest, more = strings.Cut(rest, ",")
		part = strings.TrimSpace(part)
		if len(part) >= 2 && part[0] == '"' && part[len(part)-1] == '"' {
			part = strings.TrimSpace(part[1 : len(part)-1])
		}
		n, err := strconv.Atoi(part)
		if err != nil {
			return nil, true, fmt.Errorf("want a list of numbers, got %.30s", s)
		}
		list = append(list, n)
	}
	return list, true, nil
}

// rawString reads a raw field that should hold a string; numbers are taken as their
// text, anything else gives "".
func rawString(raw json.RawMessage) string {
	if isNull(raw) {
		return ""
	}
	if raw[0] == '"' {
		if bytes.IndexByte(raw, '\\') < 0 && len(raw) >= 2 {
			return string(raw[1 : len(raw)-1])
		}
		var s string
		if json.Unmarshal(raw, &s) == nil {
			return s
		}
		return ""
	}
	if raw[0] == '-' || (raw[0] >= '0' && raw[0] <= '9') {
		return string(raw)
	}
	return ""
}

// contentText is the default-language text of a message content: the string, or of
// a per-language object the "en" entry, else the first language in name order.
func contentText(raw json.RawMessage) string {
	if isNull(raw) {
		return ""
	}
	if raw[0] != '{' {
		return rawString(raw)
	}
	var langs map[string]json.RawMessage
	if json.Unmarshal(raw, &langs) != nil || len(langs) == 0 {
		return ""
	}
	if en, ok := langs["en"]; ok {
		return rawString(en)
	}
	first := ""
	for l := range langs {
		if first == "" || l < first {
			first = l
		}
	}
	return rawString(langs[first])
}

// decodeObject decodes a raw JSON object keeping numbers exact. PHP encodes an empty
// associative array as [], so an empty list counts as an empty object.
func decodeObject(raw json.RawMessage) (map[string]any, error) {
	if isNull(raw) {
		return nil, nil
	}
	if s := strings.TrimSpace(string(raw)); s == "[]" {
		return map[string]any{}, nil
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	var m map[string]any
	if err := dec.Decode(&m); err != nil {
		return nil, err
	}
	return m, nil
}
