package scenarios

// The closed vocabularies of the format that belong to pwemu rather than to Pushwoosh
// (Pushwoosh's names are in emulator/catalog). Validation checks values against them
// and the JSON Schema lists them as enums (a test keeps the two in step).

// Clock modes.
const (
	ClockReal   = "real"
	ClockScaled = "scaled"
	ClockManual = "manual"
)

// ClockModes lists the clock modes; an empty mode is real.
var ClockModes = []string{ClockReal, ClockScaled, ClockManual}

// Transports lists the stream transports.
var Transports = []string{TransportHTTP, TransportGRPC}

// TokenKinds lists the token kinds.
var TokenKinds = []string{TokenServer, TokenDevice}

// HTTP batch framings.
const (
	FramingArray  = "array"  // one JSON array of events per request (default)
	FramingObject = "object" // one event object per request, as in the docs' example
	FramingNDJSON = "ndjson" // one event object per line
)

// Framings lists the HTTP batch framings.
var Framings = []string{FramingArray, FramingObject, FramingNDJSON}

// MaxGenerated bounds the events one traffic entry may generate, so that a typo
// (rate: 50000/s for: 24h) cannot exhaust memory.
const MaxGenerated = 10_000_000

// MaxMessages bounds the distinct messages one traffic entry draws its events from
// (generate.messages): each is made up front and kept while the entry plays.
const MaxMessages = 100_000
