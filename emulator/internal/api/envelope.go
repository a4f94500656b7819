package api

import (
	"encoding/json"
	"errors"
	"net/http"
	"strconv"
	"unicode/utf8"

	"github.com/pwemu/pwemu/emulator/catalog"
	"github.com/pwemu/pwemu/emulator/internal/state"
)

// reply is what a method handler answers; one adapter (Server.write) turns it into
// an HTTP response.
type reply struct {
	status  int    // HTTP status
	code    int    // status_code
	message string // status_message
	body    []byte // the "response" JSON; nil for null

	raw   []byte // when set, the whole body verbatim instead of the envelope (v2 API, faults)
	fault string // a scripted connection fault: "reset" or "hang"
}

// ok answers 200/200 with v as the response (nil for null).
func ok(v any) reply {
	if v == nil {
		return reply{status: http.StatusOK, code: 200, message: catalog.MsgOK}
	}
	b, err := json.Marshal(v)
	if err != nil {
		return httpError(http.StatusInternalServerError)
	}
	return reply{status: http.StatusOK, code: 200, message: catalog.MsgOK, body: b}
}

// okRaw answers 200/200 with an encoded response object.
func okRaw(b []byte) reply {
	return reply{status: http.StatusOK, code: 200, message: catalog.MsgOK, body: b}
}

// refused answers 200/210 with a message: Pushwoosh's "understood, not done".
func refused(message string) reply {
	return reply{status: http.StatusOK, code: 210, message: message}
}

// deviceRefusal answers a store error about a device: the device limit, else an
// unknown application.
func deviceRefusal(err error) reply {
	if errors.Is(err, state.ErrLimit) {
		return refused(catalog.MsgDeviceLimit)
	}
	return refused(catalog.MsgAppNotFound)
}

// messageRefusal answers a store error about a new message: the message limit, else
// an internal error.
func messageRefusal(err error) reply {
	if errors.Is(err, state.ErrLimit) {
		return refused(catalog.MsgMessageLimit)
	}
	return httpError(http.StatusInternalServerError)
}

// httpError answers an HTTP error status with the envelope carrying the same code.
func httpError(status int) reply {
	return reply{status: status, code: status, message: catalog.HTTPMessage(status)}
}

// withWarning turns a 200/200 answer into one carrying a warning message.
func (r reply) withWarning(message string) reply {
	if r.code == 200 && message != "" {
		r.message = message
	}
	return r
}

// appendEnvelope appends {"status_code":…,"status_message":…,"response":…}.
func appendEnvelope(b []byte, r reply) []byte {
	b = append(b, `{"status_code":`...)
	b = strconv.AppendInt(b, int64(r.code), 10)
	b = append(b, `,"status_message":`...)
	b = appendString(b, r.message)
	b = append(b, `,"response":`...)
	if len(r.body) == 0 {
		b = append(b, "null"...)
	} else {
		b = append(b, r.body...)
	}
	return append(b, '}')
}

// appendString appends s as a JSON string.
func appendString(b []byte, s string) []byte {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < 0x20 || c == '"' || c == '\\' || c >= utf8.RuneSelf {
			q, _ := json.Marshal(s)
			return append(b, q...)
		}
	}
	b = append(b, '"')
	b = append(b, s...)
	return append(b, '"')
}
