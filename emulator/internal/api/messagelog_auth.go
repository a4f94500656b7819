package api

import (
	"net/http"

	"github.com/pwemu/pwemu/emulator/catalog"
)

// logAccountError is getMessageLog's documented {"error": "account not found"},
// answered with HTTP 401 when the Authorization header names no account.
func logAccountError() reply {
	r := logError(catalog.MsgLogAccount)
	r.status, r.code = http.StatusUnauthorized, http.StatusUnauthorized
	return r
}
