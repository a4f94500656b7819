package api

import (
	"math/rand/v2"
	"sync"
)

// Pushwoosh identifiers, derived from the seed so that a scenario replays with the
// same codes.

// mix64 is the splitmix64 finaliser: a bijection on uint64 that scatters bits.
func mix64(x uint64) uint64 {
	x ^= x >> 30
	x *= 0xbf58476d1ce4e5b9
	x ^= x >> 27
	x *= 0x94d049bb133111eb
	x ^= x >> 31
	return x
}

const (
	saltMessage = 0x6d657373616765 // "message"
	saltApp     = 0x6170706c696361 // "applica"
	saltRequest = 0x72657175657374 // "request"
	saltPick    = 0x7069636b       // "pick"
	saltRules   = 0x72756c6573     // "rules"
	saltHash    = 0x68617368       // "hash"
	saltFilter  = 0x66696c746572   // "filter"
)

const hexDigits = "0123456789ABCDEF"

func appendHex(b []byte, v uint64, digits int) []byte {
	for i := digits - 1; i >= 0; i-- {
		b = append(b, hexDigits[(v>>(4*uint(i)))&0xF])
	}
	return b
}

// messageCode is the code of message id: XXXX-XXXXXXXX-XXXXXXXX in upper hex. The
// last 64 bits are a bijection of id for one seed, so codes never collide.
func messageCode(seed, id uint64) string {
	h := mix64(mix64(seed^saltMessage) + id)
	b := make([]byte, 0, 22)
	b = appendHex(b, mix64(h)>>48, 4)
	b = append(b, '-')
	b = appendHex(b, h>>32, 8)
	b = append(b, '-')
	b = appendHex(b, h&0xFFFFFFFF, 8)
	return string(b)
}

// applicationCode is the code of the seq-th created application: XXXXX-XXXXX.
func applicationCode(seed, seq uint64) string {
	h := mix64(mix64(seed^saltApp) + seq)
	b := make([]byte, 0, 11)
	b = appendHex(b, h>>20, 5)
	b = append(b, '-')
	b = appendHex(b, h, 5)
	return string(b)
}

// filterCode is the code of the seq-th saved filter: XXXXX-XXXXX, as segment codes
// look.
func filterCode(seed, seq uint64) string { return applicationCode(seed^saltFilter, seq) }

// requestID is the id of the seq-th statistics request: 32 lower-case hex digits.
func requestID(seed, seq uint64) string {
	h := mix64(mix64(seed^saltRequest) + seq)
	b := make([]byte, 0, 32)
	b = appendHex(b, h, 16)
	b = appendHex(b, mix64(h), 16)
	for i, c := range b {
		if c >= 'A' {
			b[i] = c + ('a' - 'A')
		}
	}
	return string(b)
}

// picker makes the server's seeded random choices, in call order.
type picker struct {
	mu  sync.Mutex
	rng *rand.Rand
}

func newPicker(seed uint64) *picker {
	return &picker{rng: rand.New(rand.NewPCG(seed, saltPick))}
}

// intn returns a number in [0, n).
func (p *picker) intn(n int) int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.rng.IntN(n)
}

// pushHash is the hash of one push of message id to a device: what the push carries
// and the device's SDK sends back in pushStat and messageDeliveryEvent. 16 lower-case
// hex digits, derived from the seed.
func pushHash(seed, id uint64, hwid string) string {
	h := mix64(seed ^ saltHash)
	for i := 0; i < len(hwid); i++ {
		h = mix64(h ^ uint64(hwid[i]))
	}
	h = mix64(h + id)
	b := appendHex(make([]byte, 0, 16), h, 16)
	for i, c := range b {
		if c >= 'A' {
			b[i] = c + ('a' - 'A')
		}
	}
	return string(b)
}
