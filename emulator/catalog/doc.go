// Package catalog is pwemu's single list of Pushwoosh's vocabulary: the endpoints it
// emulates, the platforms and their device types, the event names, the status
// messages of the API's answers and the named answers, warnings and faults a
// scenario's API rules may give. The router, the scenario validator, the scenario
// JSON Schema, the README's method table and GET /_pwemu/methods all read it; other
// code refers to an entry by its Go identifier (catalog.CreateMessage,
// catalog.EventPushSent, catalog.MsgAppNotFound) and never spells the name again. A
// test fails when a method or event name appears as a string literal in Go code
// outside this package.
//
// # Adding an endpoint
//
// First, one entry in endpoints.go, in its family's block:
//
//	GetPreset = add(&Endpoint{Method: "getPreset", Family: FamilyPresets,
//		Auth: AuthServer, Requires: []string{FieldAuth, "preset_code"},
//		Answer: `{"preset":{…}}`, Doc: "https://docs.pushwoosh.com/…"})
//
// A v1.3 method needs only its name: add serves it at POST /json/1.3/<method>. Any
// other endpoint also gives HTTP and Path, a gorilla/mux template such as
// "/api/v2/audience/bulkSetTags/{request_id}".
//
// Then a handler in emulator/internal/api (its v13Handlers table for a v1.3
// method). The api package will not start while a catalog endpoint lacks a handler,
// and its tests call every endpoint listed here and check that a scenario rule
// naming it validates. New status messages go to status.go, new event names to
// event.go.
//
// Requires lists the request fields without which pwemu refuses the call, as the
// documentation marks them. On a v1.3 method FieldAuth and FieldApplication (or
// FieldApplicationOrGroup) are checked before the handler runs, which then works on
// the resolved application or group; a test in emulator/internal/api checks that
// every method refuses a call without them. The other fields are the handler's to
// check.
package catalog
