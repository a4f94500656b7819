package control

import (
	"bufio"
	"encoding/json"
	"net/http"
)

// field is one key of a JSON object, written in order.
type field struct {
	name  string
	value any
}

// list is an answer written as a stream: the head fields, the list one element at a
// time, then the tail fields. An answer never sits whole in memory.
type list struct {
	head []field
	name string
	n    int
	item func(i int) any
	tail []field
}

func (l list) write(w http.ResponseWriter) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(http.StatusOK)
	bw := bufio.NewWriterSize(w, 32<<10)
	defer bw.Flush()
	enc := json.NewEncoder(bw)
	enc.SetEscapeHTML(false)
	bw.WriteByte('{')
	writeFields := func(fs []field) {
		for _, f := range fs {
			enc.Encode(f.name)
			bw.WriteByte(':')
			enc.Encode(f.value)
			bw.WriteByte(',')
		}
	}
	writeFields(l.head)
	enc.Encode(l.name)
	bw.WriteString(":[")
	for i := 0; i < l.n; i++ {
		if i > 0 {
			bw.WriteByte(',')
		}
		enc.Encode(l.item(i))
	}
	bw.WriteByte(']')
	for _, f := range l.tail {
		bw.WriteByte(',')
		enc.Encode(f.name)
		bw.WriteByte(':')
		enc.Encode(f.value)
	}
	bw.WriteString("}\n")
}
