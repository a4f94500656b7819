package api

import (
	"encoding/json"
	"net/http"
	"strconv"
	"unicode/utf8"
)

// Status messages of Pushwoosh's code table, byte for byte: the API reference's
// answers (HTTP 200 with status_code 200 or 210, 400, 401, 403, 404, 500) and
// messages seen from the real service.
const (
	msgOK                   = "OK"
	msgSubscriberLimit      = "Warnings: You have reached the subscriber limit. Push Message will be sent to 1 random device only"
	msgActiveDevices        = "Warnings: You have exceeded the number of active devices allowed on your current subscription plan."
	msgAccessDenied         = "Access denied or application not found"
	msgAppNotFound          = "Application not found"
	msgAppSuspended         = "Application suspended"
	msgAccountNotFound      = "Account not found"
	msgAccountSuspended     = "Account has been suspended"
	msgSuspendedFiltration  = "Suspended account can not use device filtration"
	msgTokenOrAppNotSet     = "API token or application is not set"
	msgSelectPlatform       = "Please select at least one platform"
	msgInvalidToken         = "Invalid API Token: Account not found"
	msgNoAppOrGroup         = "No application or group code given"
	msgTokenAppAccountUnset = "API token or application or account is not set"
	msgNoNotifications      = "No notifications"
	msgCannotParseDate      = "Cannot parse date"
	msgAndroidRootParams    = "android_root_params must be key-value object"

	msgBadRequest   = "Bad request: the request could not be fulfilled due to bad syntax"
	msgUnauthorized = "Unauthorized: authentication failed or was not provided"
	msgForbidden    = "Token restrictions forbid this operation."
	msgNotFound     = "Resource not found (e.g. an app)"
	msgTooLarge     = "Request entity too large: the body exceeds 10 MiB"
	msgRateLimited  = "Too many requests: createMessage is limited to 600 calls a minute per account"
	msgInternal     = "Internal error"
	msgNotPost      = "Method not allowed: the API takes POST requests"
	msgReplaced     = "Service unavailable: the emulator's scenario was replaced or reset during this call"
)

// httpMessages are the status messages of answers whose status_code is their HTTP
// status.
var httpMessages = map[int]string{
	http.StatusBadRequest:            msgBadRequest,
	http.StatusUnauthorized:          msgUnauthorized,
	http.StatusForbidden:             msgForbidden,
	http.StatusNotFound:              msgNotFound,
	http.StatusMethodNotAllowed:      msgNotPost,
	http.StatusRequestEntityTooLarge: msgTooLarge,
	http.StatusTooManyRequests:       msgRateLimited,
	http.StatusInternalServerError:   msgInternal,
}

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
		return reply{status: http.StatusOK, code: 200, message: msgOK}
	}
	b, err := json.Marshal(v)
	if err != nil {
		return httpError(http.StatusInternalServerError)
	}
	return reply{status: http.StatusOK, code: 200, message: msgOK, body: b}
}

// okRaw answers 200/200 with an encoded response object.
func okRaw(b []byte) reply {
	return reply{status: http.StatusOK, code: 200, message: msgOK, body: b}
}

// refused answers 200/210 with a message: Pushwoosh's "understood, not done".
func refused(message string) reply {
	return reply{status: http.StatusOK, code: 210, message: message}
}

// httpError answers an HTTP error status with the envelope carrying the same code.
func httpError(status int) reply {
	msg, ok := httpMessages[status]
	if !ok {
		msg = http.StatusText(status)
	}
	return reply{status: status, code: status, message: msg}
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
