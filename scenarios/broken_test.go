package scenarios

import (
	"errors"
	"strings"
	"testing"
)

// receiverEnv is the environment `pwemu run --receiver` gives: RECEIVER_URL and
// nothing else.
func receiverEnv(name string) (string, bool) {
	if name == "RECEIVER_URL" {
		return "http://127.0.0.1:9000", true
	}
	return "", false
}

// brokenScenarios are files that must be rejected, each with the exact report.
// A leading newline in yaml is dropped, so line 1 is the first written line.
var brokenScenarios = []struct {
	name string
	yaml string
	want string
}{
	{
		name: "tab indentation",
		yaml: "name: x\nstreams:\n\t- endpoint: a\n",
		want: `storm.yaml:3:1: invalid YAML: a tab indents this line; YAML indents with spaces only`,
	},
	{
		name: "list item misindented",
		yaml: `
name: x
streams:
  - endpoint: http://a
   events: [Push Sent]
`,
		want: `storm.yaml:4:4: invalid YAML: did not find expected '-' indicator (is this line indented like the ones before it?)`,
	},
	{
		name: "unclosed quote",
		yaml: `
name: "storm
seed: 1
`,
		want: `storm.yaml:1:7: invalid YAML: found unexpected end of stream (a quote or bracket is not closed)`,
	},
	{
		name: "unclosed flow list",
		yaml: `
name: x
streams:
  - endpoint: http://a
    events: [Push Sent, Push Opened
    platforms: [iOS]
`,
		want: `storm.yaml:4:13: invalid YAML: did not find expected ',' or ']' (this bracket is not closed, or an item in it is not a plain value)`,
	},
	{
		name: "unquoted env reference in a flow mapping",
		yaml: `
name: x
traffic:
  - generate: {count: ${N}}
`,
		want: `storm.yaml:3:15: invalid YAML: did not find expected ',' or '}' (inside [ ] or { }, quote a ${…} reference: "${NAME}")`,
	},
	{
		name: "colon in plain value",
		yaml: `
name: storm: the sequel
`,
		want: `storm.yaml:1:12: invalid YAML: mapping values are not allowed in this context (quote a value that holds ": ", or indent this line less)`,
	},
	{
		name: "key indented too far",
		yaml: `
name: x
  seed: 1
`,
		want: `storm.yaml:2:7: invalid YAML: mapping values are not allowed in this context (quote a value that holds ": ", or indent this line less)`,
	},
	{
		name: "second document",
		yaml: `
name: a
---
name: b
`,
		want: `storm.yaml:2:1: a second YAML document starts here; a file holds one scenario (remove the ---)`,
	},
	{
		name: "empty file",
		yaml: `
# nothing here
`,
		want: `storm.yaml:1:1: the file holds no scenario; start with a name: line`,
	},
	{
		name: "top level is a list",
		yaml: `
- name: x
`,
		want: `storm.yaml:1:1: a scenario is a mapping of keys such as name, accounts and streams; got a list`,
	},
	{
		name: "seed is not a number",
		yaml: `
name: x
seed: forty-two
`,
		want: `storm.yaml:2:7: seed: want a whole number, got "forty-two"`,
	},
	{
		name: "clock given as a string",
		yaml: `
clock: real
`,
		want: `storm.yaml:1:8: clock: want a mapping with keys such as mode, speed, start, got "real"`,
	},
	{
		name: "number too large",
		yaml: `
seed: 99999999999999999999
`,
		want: `storm.yaml:1:7: seed: 99999999999999999999 is too large for a whole number here`,
	},
	{
		name: "document that is only null",
		yaml: `
~
`,
		want: `storm.yaml:1:1: the file holds no scenario; start with a name: line`,
	},
	{
		name: "seed is fractional",
		yaml: `
name: x
seed: 4.5
`,
		want: `storm.yaml:2:7: seed: want a whole number, got "4.5"`,
	},
	{
		name: "accounts is a mapping",
		yaml: `
name: x
accounts:
  id: acme
`,
		want: `storm.yaml:3:3: accounts: want a list, got a mapping`,
	},
	{
		name: "bool written yes",
		yaml: `
name: x
accounts:
  - id: acme
    suspended: yes
`,
		want: `storm.yaml:4:16: accounts[0].suspended: want true or false, got "yes"`,
	},
	{
		name: "events is one string",
		yaml: `
name: x
streams:
  - endpoint: ${RECEIVER_URL}
    events: Push Sent
    platforms: [iOS]
`,
		want: `storm.yaml:4:13: streams[0].events: want a list, got "Push Sent"; write [Push Sent] for a list of one`,
	},
	{
		name: "batch is a number",
		yaml: `
name: x
streams:
  - endpoint: ${RECEIVER_URL}
    events: [Push Sent]
    platforms: [iOS]
    batch: 100
`,
		want: `storm.yaml:6:12: streams[0].batch: want a mapping with keys such as size, interval, got "100"`,
	},
	{
		name: "unknown top-level key with hint",
		yaml: `
name: x
stream:
  - endpoint: ${RECEIVER_URL}
`,
		want: `storm.yaml:2:1: stream: unknown key "stream"; did you mean "streams"?`,
	},
	{
		name: "unknown key without hint",
		yaml: `
name: x
colour: blue
`,
		want: `storm.yaml:2:1: colour: unknown key "colour" (known keys here: name, description, seed, clock, duration, accounts, streams, webhooks, traffic, api, lifecycle, journeys, expect, custom_events)`,
	},
	{
		name: "unknown key synonym",
		yaml: `
name: x
streams:
  - url: ${RECEIVER_URL}
    events: [Push Sent]
    platforms: [iOS]
`,
		want: `storm.yaml:3:5: streams[0].url: unknown key "url"; did you mean "endpoint"?`,
	},
	{
		name: "duplicate key",
		yaml: `
name: x
seed: 1
seed: 2
`,
		want: `storm.yaml:3:1: seed: key "seed" appears twice (first at line 2); keep one`,
	},
	{
		name: "missing events",
		yaml: `
name: storm
streams:
  - endpoint: ${RECEIVER_URL}
    platforms: [iOS]
`,
		want: `storm.yaml:3:5: streams[0].events: at least one event is required (seed rule); e.g. events: [Push Sent, Push Delivered]`,
	},
	{
		name: "empty events",
		yaml: `
name: storm
streams:
  - endpoint: ${RECEIVER_URL}
    events: []
    platforms: [iOS]
`,
		want: `storm.yaml:4:13: streams[0].events: at least one event is required (seed rule); e.g. events: [Push Sent, Push Delivered]`,
	},
	{
		name: "missing platforms",
		yaml: `
name: x
streams:
  - endpoint: ${RECEIVER_URL}
    events: [Push Sent]
`,
		want: `storm.yaml:3:5: streams[0].platforms: at least one platform is required (seed rule); e.g. platforms: [iOS, Android]`,
	},
	{
		name: "platform wrong case",
		yaml: `
name: x
streams:
  - endpoint: ${RECEIVER_URL}
    events: [Push Sent]
    platforms: [iOS, android]
`,
		want: `storm.yaml:5:22: streams[0].platforms[1]: "android" is not a platform; did you mean "Android"?`,
	},
	{
		name: "unknown platform",
		yaml: `
name: x
streams:
  - endpoint: ${RECEIVER_URL}
    events: [Push Sent]
    platforms: [Nokia]
`,
		want: `storm.yaml:5:17: streams[0].platforms[0]: "Nokia" is not a platform (one of: iOS, Android, macOS, Windows, Amazon, Safari, Chrome, Firefox, Internet Explorer, Baidu, Huawei, Email, SMS, Line, Xiaomi, WhatsApp)`,
	},
	{
		name: "event name near miss",
		yaml: `
name: x
streams:
  - endpoint: ${RECEIVER_URL}
    events: [Push Snet]
    platforms: [iOS]
`,
		want: `storm.yaml:4:14: streams[0].events[0]: "Push Snet" is not a Pushwoosh event name; did you mean "Push Sent"? (names match exactly; list a newer Pushwoosh event under custom_events:)`,
	},
	{
		name: "event name outside the catalog",
		yaml: `
name: x
streams:
  - endpoint: ${RECEIVER_URL}
    events: [Push Sent, Push Recieved]
    platforms: [iOS]
`,
		want: `storm.yaml:4:25: streams[0].events[1]: "Push Recieved" is not a Pushwoosh event name; did you mean "Push Delivered"? (names match exactly; list a newer Pushwoosh event under custom_events:)`,
	},
	{
		name: "custom event that the catalog has",
		yaml: `
name: x
custom_events: [Push Sent]
streams:
  - endpoint: ${RECEIVER_URL}
    events: [Push Sent]
    platforms: [iOS]
`,
		want: `storm.yaml:2:17: custom_events[0]: "Push Sent" is a catalog event already: custom_events is for names outside the catalog`,
	},
	{
		name: "url without scheme",
		yaml: `
name: x
streams:
  - endpoint: example.com/hook
    events: [Push Sent]
    platforms: [iOS]
`,
		want: `storm.yaml:3:15: streams[0].endpoint: "example.com/hook" has no scheme; write a full URL such as https://example.com:8081/webhook_endpoint`,
	},
	{
		name: "url with ftp scheme",
		yaml: `
name: x
streams:
  - endpoint: ftp://example.com/hook
    events: [Push Sent]
    platforms: [iOS]
`,
		want: `storm.yaml:3:15: streams[0].endpoint: "ftp://example.com/hook": the scheme must be http or https; write a full URL such as https://example.com:8081/webhook_endpoint`,
	},
	{
		name: "url with bad port",
		yaml: `
name: x
streams:
  - endpoint: http://example.com:99999/hook
    events: [Push Sent]
    platforms: [iOS]
`,
		want: `storm.yaml:3:15: streams[0].endpoint: "http://example.com:99999/hook": port "99999" is not a port number (1-65535)`,
	},
	{
		name: "grpc endpoint given an http url",
		yaml: `
name: x
streams:
  - endpoint: http://127.0.0.1:9000
    transport: grpc
    events: [Push Sent]
    platforms: [iOS]
`,
		want: `storm.yaml:3:15: streams[0].endpoint: "http://127.0.0.1:9000": a grpc endpoint is host:port, grpc://host:port or grpcs://host:port (TLS), e.g. 127.0.0.1:50051`,
	},
	{
		name: "custom envelope with a list as response",
		yaml: `
name: x
api:
  - method: createMessage
    respond: {status_code: 210, status_message: odd, response: [1, 2]}
`,
		want: `storm.yaml:4:64: api[0].respond.response: the response of an envelope is an object (or null), e.g. response: {Messages: [C3F8-C3863ED4-334AD4F1]}`,
	},
	{
		name: "tls settings on a plaintext grpc endpoint",
		yaml: `
name: x
streams:
  - endpoint: grpc://127.0.0.1:9000
    transport: grpc
    events: [Push Sent]
    platforms: [iOS]
    tls: {ca: ca.pem}
`,
		want: `storm.yaml:7:10: streams[0].tls: the endpoint is plaintext but tls settings are given: write grpcs://host:port or set tls.enabled: true`,
	},
	{
		name: "grpc url on http transport",
		yaml: `
name: x
streams:
  - endpoint: grpc://127.0.0.1:9000
    events: [Push Sent]
    platforms: [iOS]
`,
		want: `storm.yaml:3:15: streams[0].endpoint: "grpc://127.0.0.1:9000" is a gRPC address; add transport: grpc, or write a full URL such as https://example.com:8081/webhook_endpoint`,
	},
	{
		name: "unknown transport",
		yaml: `
name: x
streams:
  - endpoint: ${RECEIVER_URL}
    transport: grcp
    events: [Push Sent]
    platforms: [iOS]
`,
		want: `storm.yaml:4:16: streams[0].transport: "grcp" is not a transport; did you mean "grpc"?`,
	},
	{
		name: "duration without unit",
		yaml: `
name: x
streams:
  - endpoint: ${RECEIVER_URL}
    events: [Push Sent]
    platforms: [iOS]
    timeout: 30
`,
		want: `storm.yaml:6:14: streams[0].timeout: "30" is not a duration (write it like 30s, 5m or 1h)`,
	},
	{
		name: "negative duration",
		yaml: `
name: x
duration: -5m
`,
		want: `storm.yaml:2:11: duration: "-5m": a duration cannot be negative`,
	},
	{
		name: "zero timeout",
		yaml: `
name: x
streams:
  - endpoint: ${RECEIVER_URL}
    events: [Push Sent]
    platforms: [iOS]
    timeout: 0s
`,
		want: `storm.yaml:6:14: streams[0].timeout: timeout must be above 0 (leave it out for the docs' 30s)`,
	},
	{
		name: "bad rate",
		yaml: `
name: x
traffic:
  - generate: {rate: fast, for: 1m}
`,
		want: `storm.yaml:3:22: traffic[0].generate.rate: "fast" is not a rate (write it like 50/s, 600/m or 10/h)`,
	},
	{
		name: "rate without for",
		yaml: `
name: x
traffic:
  - at: 1m
    generate: {rate: 50/s}
`,
		want: `storm.yaml:4:15: traffic[0].generate.for: rate needs for: how long it lasts, e.g. for: 5m`,
	},
	{
		name: "count and rate",
		yaml: `
name: x
traffic:
  - generate: {count: 10, rate: 5/s, for: 1m}
`,
		want: `storm.yaml:3:33: traffic[0].generate.rate: count and rate exclude each other: count generates events at once, rate over a span (with for)`,
	},
	{
		name: "nothing to generate",
		yaml: `
name: x
traffic:
  - at: 0s
    generate: {events: [Push Sent]}
`,
		want: `storm.yaml:4:15: traffic[0].generate: say how many events: count: 100 (at once) or rate: 50/s with for: 5m (over a span)`,
	},
	{
		name: "too much traffic",
		yaml: `
name: x
traffic:
  - generate: {rate: 50000/s, for: 24h}
`,
		want: `storm.yaml:3:15: traffic[0].generate: this generates 4320000000 events; one traffic entry may generate at most 10000000`,
	},
	{
		name: "too many messages",
		yaml: `
name: x
traffic:
  - generate: {count: 5, messages: 100001}
`,
		want: `storm.yaml:3:36: traffic[0].generate.messages: messages is 100001: one traffic entry draws from at most 100000 distinct messages`,
	},
	{
		name: "negative messages",
		yaml: `
name: x
traffic:
  - generate: {count: 5, messages: -1}
`,
		want: `storm.yaml:3:36: traffic[0].generate.messages: messages must be 0 or more (0 means the default, 10)`,
	},
	{
		name: "traffic after the end",
		yaml: `
name: x
duration: 10m
traffic:
  - at: 1h
    generate: {count: 5}
`,
		want: `storm.yaml:4:9: traffic[0].at: at 1h0m0s is after the scenario's duration (10m0s): these events would never be generated`,
	},
	{
		name: "traffic for unknown app",
		yaml: `
name: x
accounts:
  - id: acme
    applications: [{code: 32E5A-9B411}]
traffic:
  - generate: {count: 5, application: 32E5A-9B412}
`,
		want: `storm.yaml:6:39: traffic[0].generate.application: "32E5A-9B412" is not an application of any account; did you mean "32E5A-9B411"?`,
	},
	{
		name: "unset env var",
		yaml: `
name: x
streams:
  - endpoint: ${RECEIVER_URL}
    authorization: Bearer ${API_TOKEN}
    events: [Push Sent]
    platforms: [iOS]
`,
		want: `storm.yaml:4:20: streams[0].authorization: ${API_TOKEN} is not set: set the environment variable, or give a default: ${API_TOKEN:-value}`,
	},
	{
		name: "bad env reference",
		yaml: `
name: ${NAME OF RUN}
`,
		want: `storm.yaml:1:7: name: ${NAME OF RUN}: "NAME OF RUN" is not a variable name; write ${NAME} or ${NAME:-default}`,
	},
	{
		name: "unclosed env reference",
		yaml: `
name: ${RUN_NAME
`,
		want: `storm.yaml:1:7: name: "${RUN_NAME" opens ${ without a closing }`,
	},
	{
		name: "env message when unset",
		yaml: `
name: x
streams:
  - endpoint: ${RECEIVER_URL}
    authorization: ${AUTH:?pass the receiver's token}
    events: [Push Sent]
    platforms: [iOS]
`,
		want: `storm.yaml:4:20: streams[0].authorization: ${AUTH} is not set: pass the receiver's token`,
	},
	{
		name: "duplicate app code",
		yaml: `
name: x
accounts:
  - id: a
    applications: [{code: 32E5A-9B411}]
  - id: b
    applications: [{code: 32E5A-9B411}]
`,
		want: `storm.yaml:6:27: accounts[1].applications[0].code: application code "32E5A-9B411" is already used by accounts[0].applications[0]; codes are unique across all accounts`,
	},
	{
		name: "duplicate account id",
		yaml: `
name: x
accounts:
  - id: acme
  - id: acme
`,
		want: `storm.yaml:4:9: accounts[1].id: account id "acme" is already used by accounts[0]; ids are unique`,
	},
	{
		name: "duplicate token value",
		yaml: `
name: x
accounts:
  - id: a
    tokens: [{value: t0k3n, kind: server}]
  - id: b
    tokens: [{value: t0k3n, kind: device}]
`,
		want: `storm.yaml:6:22: accounts[1].tokens[0].value: token "t0k3n" is already used by accounts[0].tokens[0]; token values are unique across all accounts`,
	},
	{
		name: "bad token kind",
		yaml: `
name: x
accounts:
  - id: a
    tokens: [{value: t, kind: admin}]
`,
		want: `storm.yaml:4:31: accounts[0].tokens[0].kind: "admin" is not a token kind (one of: server, device)`,
	},
	{
		name: "allow lists unknown method",
		yaml: `
name: x
accounts:
  - id: a
    tokens: [{value: t, kind: server, allow: [getMsgStat]}]
`,
		want: `storm.yaml:4:47: accounts[0].tokens[0].allow[0]: "getMsgStat" is not an API method pwemu implements; did you mean "getMsgStats"?`,
	},
	{
		name: "token for another account's app",
		yaml: `
name: x
accounts:
  - id: a
    applications: [{code: AAAAA-00001}]
  - id: b
    applications: [{code: BBBBB-00001}]
    tokens: [{value: t, kind: server, applications: [AAAAA-00001]}]
`,
		want: `storm.yaml:7:54: accounts[1].tokens[0].applications[0]: "AAAAA-00001" belongs to account "a"; a token reaches applications of its own account`,
	},
	{
		name: "group with unknown app",
		yaml: `
name: x
accounts:
  - id: a
    applications: [{code: AAAAA-00001}]
    groups: [{code: G0000-00001, applications: [AAAAA-00002]}]
`,
		want: `storm.yaml:5:49: accounts[0].groups[0].applications[0]: "AAAAA-00002" is not an application of account "a"; did you mean "AAAAA-00001"?`,
	},
	{
		name: "respond gives two answers",
		yaml: `
name: x
api:
  - method: createMessage
    respond: {http: 503, code: app_not_found}
`,
		want: `storm.yaml:4:14: api[0].respond: respond gives one answer, but sets http and code; keep one`,
	},
	{
		name: "unknown named answer",
		yaml: `
name: x
api:
  - method: createMessage
    respond: {code: app_suspend}
`,
		want: `storm.yaml:4:21: api[0].respond.code: "app_suspend" is not a named answer; did you mean "app_suspended"?`,
	},
	{
		name: "http status out of range",
		yaml: `
name: x
api:
  - method: createMessage
    respond: {http: 700}
`,
		want: `storm.yaml:4:21: api[0].respond.http: 700 is not an HTTP status an answer can have (200-599)`,
	},
	{
		name: "unknown fault",
		yaml: `
name: x
api:
  - method: createMessage
    respond: {fault: timeout}
`,
		want: `storm.yaml:4:22: api[0].respond.fault: "timeout" is not a fault (one of: reset, hang, malformed)`,
	},
	{
		name: "unknown warning",
		yaml: `
name: x
api:
  - method: createMessage
    respond: {warning: quota}
`,
		want: `storm.yaml:4:24: api[0].respond.warning: "quota" is not a warning (one of: subscriber_limit, active_devices_exceeded)`,
	},
	{
		name: "unknown api method",
		yaml: `
name: x
api:
  - method: createMesage
    respond: {http: 500}
`,
		want: `storm.yaml:3:13: api[0].method: "createMesage" is not an API method pwemu implements; did you mean "createMessage"?`,
	},
	{
		name: "during with one value",
		yaml: `
name: x
api:
  - method: "*"
    during: [10m]
    respond: {http: 500}
`,
		want: `storm.yaml:4:13: api[0].during: during is [from, to] on the timeline, e.g. during: [10m, 12m]; this one has 1 value`,
	},
	{
		name: "during backwards",
		yaml: `
name: x
api:
  - method: "*"
    during: [12m, 10m]
    respond: {http: 500}
`,
		want: `storm.yaml:4:13: api[0].during: during goes from earlier to later: 12m0s is not before 10m0s`,
	},
	{
		name: "probability above one",
		yaml: `
name: x
api:
  - method: "*"
    probability: 1.5
    respond: {http: 500}
`,
		want: `storm.yaml:4:18: api[0].probability: probability is the share of matching calls the rule applies to, above 0 and at most 1 (e.g. 0.8); got 1.5`,
	},
	{
		name: "rule that changes nothing",
		yaml: `
name: x
api:
  - method: registerDevice
    times: 2
`,
		want: `storm.yaml:3:5: api[0]: this rule changes nothing: give it a respond (e.g. respond: {http: 503}) or a latency`,
	},
	{
		name: "custom envelope without status code",
		yaml: `
name: x
api:
  - method: getTags
    respond: {status_message: nope}
`,
		want: `storm.yaml:4:14: api[0].respond.status_code: a custom envelope needs its status_code, e.g. status_code: 210 (or an http status, which it then also takes)`,
	},
	{
		name: "bad clock mode",
		yaml: `
name: x
clock: {mode: fast}
`,
		want: `storm.yaml:2:15: clock.mode: "fast" is not a clock mode (one of: real, scaled, manual)`,
	},
	{
		name: "scaled clock without speed",
		yaml: `
name: x
clock:
  mode: scaled
`,
		want: `storm.yaml:3:3: clock.speed: a scaled clock needs a speed above 0: how many times faster than real time it runs (speed: 60 plays an hour in a minute)`,
	},
	{
		name: "speed on a real clock",
		yaml: `
name: x
clock: {mode: real, speed: 10}
`,
		want: `storm.yaml:2:28: clock.speed: speed applies to a scaled clock; add mode: scaled or remove speed`,
	},
	{
		name: "bad clock start",
		yaml: `
name: x
clock: {mode: manual, start: yesterday}
`,
		want: `storm.yaml:2:30: clock.start: "yesterday" is not an RFC 3339 time such as 2024-08-16T09:00:00Z`,
	},
	{
		name: "chaos duplicate above one",
		yaml: `
name: x
streams:
  - endpoint: ${RECEIVER_URL}
    events: [Push Sent]
    platforms: [iOS]
    chaos: {duplicate: 2}
`,
		want: `storm.yaml:6:24: streams[0].chaos.duplicate: duplicate is the share of batches sent twice, from 0 to 1 (e.g. 0.1); got 2`,
	},
	{
		name: "campaign filter not an id",
		yaml: `
name: x
streams:
  - endpoint: ${RECEIVER_URL}
    events: [Push Sent]
    platforms: [iOS]
    filters: {campaigns: [ABCDE-12345]}
`,
		want: `storm.yaml:6:27: streams[0].filters.campaigns[0]: "ABCDE-12345" is not a campaign id: the filter lists campaign ids as decimal numbers (e.g. "961048"), matched against the events' campaign_id`,
	},
	{
		name: "grpc authorization not metadata",
		yaml: `
name: x
streams:
  - endpoint: grpc://127.0.0.1:50051
    transport: grpc
    authorization: "Bearer a\nb"
    events: [Push Sent]
    platforms: [iOS]
`,
		want: `storm.yaml:5:20: streams[0].authorization: gRPC metadata allows printable ASCII only, found byte 0x0a at offset 8`,
	},
	{
		name: "a name taken by an unnamed integration",
		yaml: `
name: x
streams:
  - endpoint: ${RECEIVER_URL}
    events: [Push Sent]
    platforms: [iOS]
webhooks:
  - name: streams[0]
    endpoint: ${RECEIVER_URL}/email
`,
		want: `storm.yaml:7:11: webhooks[0].name: name "streams[0]" is already used by streams[0]; integration names are unique (the ledger reports by name)`,
	},
	{
		name: "framing on grpc",
		yaml: `
name: x
streams:
  - endpoint: 127.0.0.1:50051
    transport: grpc
    events: [Push Sent]
    platforms: [iOS]
    framing: ndjson
`,
		want: `storm.yaml:7:14: streams[0].framing: framing applies to http streams; a grpc stream sends one message per event`,
	},
	{
		name: "webhook event not email",
		yaml: `
name: x
webhooks:
  - endpoint: ${RECEIVER_URL}/email
    events: [Push Sent]
`,
		want: `storm.yaml:4:14: webhooks[0].events[0]: "Push Sent": webhooks post email status events only (Email Sent, Email Delivered, Email Bounced, Email Opened, Email Link Clicked, Email Unsubscribed, Email Complained, Email Rejected)`,
	},
	{
		name: "duplicate integration names",
		yaml: `
name: x
streams:
  - name: main
    endpoint: ${RECEIVER_URL}
    events: [Push Sent]
    platforms: [iOS]
webhooks:
  - name: main
    endpoint: ${RECEIVER_URL}/email
`,
		want: `storm.yaml:8:11: webhooks[0].name: name "main" is already used by streams[0]; integration names are unique (the ledger reports by name)`,
	},
	{
		name: "expect without integrations",
		yaml: `
name: x
expect:
  delivered: all
`,
		want: `storm.yaml:3:14: expect.delivered: delivered checks deliveries, but the scenario has no streams or webhooks to deliver to`,
	},
	{
		name: "bad expected count",
		yaml: `
name: x
expect:
  api_calls: most
`,
		want: `storm.yaml:3:14: expect.api_calls: "most" is not a count: write all, none, a number (at least that many), at most N or exactly N`,
	},
	{
		name: "bad expected status",
		yaml: `
name: x
expect:
  api_statuses: {42: none}
`,
		want: `storm.yaml:3:22: expect.api_statuses.42: 42 is not an HTTP status (100-599)`,
	},
	{
		name: "lifecycle share above one",
		yaml: `
name: x
lifecycle: {delivered: 1.2}
`,
		want: `storm.yaml:2:24: lifecycle.delivered: delivered is a share from 0 to 1 (e.g. 0.9); got 1.2`,
	},
	{
		name: "journey of an unknown application without content",
		yaml: `
name: x
accounts:
  - id: acme
    applications: [{code: 32E5A-9B411}]
journeys:
  - id: j1
    title: Onboarding
    application: NOPE0-00000
    points:
      - title: Welcome
        message: {content: ""}
`,
		want: `storm.yaml:8:18: journeys[0].application: application "NOPE0-00000" is not an application of the scenario's accounts` + "\n" +
			`storm.yaml:11:28: journeys[0].points[0].message.content: a point's message needs content`,
	},
	{
		name: "journey without points, id used twice",
		yaml: `
name: x
accounts:
  - id: acme
    applications: [{code: 32E5A-9B411}]
journeys:
  - {id: j1, title: A, application: 32E5A-9B411, points: [{title: P, after: 1h, message: {content: hi}}]}
  - {id: j1, title: B, application: 32E5A-9B411}
`,
		want: `storm.yaml:7:5: journeys[1].points: a journey needs at least one point` + "\n" +
			`storm.yaml:7:10: journeys[1].id: journey id "j1" is used twice`,
	},
	{
		name: "NaN is not a number",
		yaml: `
name: x
clock: {mode: scaled, speed: .nan}
`,
		want: `storm.yaml:2:30: clock.speed: want a number, got ".nan"`,
	},
}

func TestBrokenScenarios(t *testing.T) {
	t.Parallel()
	if len(brokenScenarios) < 30 {
		t.Fatalf("only %d broken scenarios; the table must cover at least 30", len(brokenScenarios))
	}
	for _, tc := range brokenScenarios {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			s, err := ParseWith("storm.yaml", []byte(strings.TrimPrefix(tc.yaml, "\n")), Options{Env: receiverEnv})
			if err == nil {
				t.Fatalf("accepted: %+v", s)
			}
			if s != nil {
				t.Errorf("a rejected scenario came back non-nil")
			}
			var errs *Errors
			if !errors.As(err, &errs) {
				t.Fatalf("error is %T, want *Errors: %v", err, err)
			}
			if got := err.Error(); got != tc.want {
				t.Errorf("error\n got: %s\nwant: %s", got, tc.want)
			}
		})
	}
}
