package control

import (
	"bufio"
	"bytes"
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
	// Each value is encoded alone and written without the newline Encode ends it with,
	// so the answer reads as ordinary JSON; elements of the list go one a line.
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	put := func(v any) {
		buf.Reset()
		if enc.Encode(v) != nil {
			bw.WriteString("null")
			return
		}
		bw.Write(bytes.TrimSuffix(buf.Bytes(), []byte{'\n'}))
	}
	bw.WriteByte('{')
	writeFields := func(fs []field) {
		for _, f := range fs {
			put(f.name)
			bw.WriteByte(':')
			put(f.value)
			bw.WriteByte(',')
		}
	}
	writeFields(l.head)
	put(l.name)
	bw.WriteString(":[")
	for i := 0; i < l.n; i++ {
		if i > 0 {
			bw.WriteByte(',')
		}
		bw.WriteByte('\n')
		put(l.item(i))
	}
	bw.WriteByte(']')
	for _, f := range l.tail {
		bw.WriteByte(',')
		put(f.name)
		bw.WriteByte(':')
		put(f.value)
	}
	bw.WriteString("}\n")
}
