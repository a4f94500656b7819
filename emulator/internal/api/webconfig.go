package api

import (
	"crypto/ecdh"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"slices"
	"strings"

	"github.com/pwemu/pwemu/emulator/catalog"
	"github.com/pwemu/pwemu/emulator/internal/state"
)

// getConfig: the web SDK's start-up call. It asks for features by name and reads
// page_visit, vapid_key, web_in_apps, events and subscription_prompt from the
// answer. They come from the application: its events (createEvent), its in-apps
// (the scenario's), and its web platform's configuration (configureApplication
// for Chrome, else Firefox, else Safari) where that sets vapid_key, page_visit,
// web_in_apps or subscription_prompt; otherwise a VAPID key of the application's
// own (derived from the seed), page visits off and subscription prompt "not-set".

// Feature names of getConfig, as the web SDK asks for them.
const (
	featurePageVisit          = "page_visit"
	featureVAPIDKey           = "vapid_key"
	featureWebInApps          = "web_in_apps"
	featureEvents             = "events"
	featureSubscriptionPrompt = "subscription_prompt"
)

// promptUseCases are the subscription prompt's use cases the web SDK knows.
var promptUseCases = []string{"not-set", "default", "not-used"}

// webPlatforms are the platforms whose configuration getConfig reads, first first.
var webPlatforms = []int{catalog.DeviceChrome, catalog.DeviceFirefox, catalog.DeviceSafari}

func (s *Server) getConfig(c *call) reply {
	var r struct {
		Features []string `json:"features"`
	}
	decodeRequestInto(c.in.body, &r) //nolint:errcheck // the shared decoder already judged the body
	app := c.app()
	settings := map[string]string{}
	if set, err := s.st.AppSettings(c.account.ID, app.Code); err == nil {
		for _, t := range webPlatforms {
			if p, found := set.Platforms[t]; found && p.Enabled {
				settings = p.Settings
				break
			}
		}
	}
	wanted := func(name string) bool { return len(r.Features) == 0 || slices.Contains(r.Features, name) }
	features := map[string]any{}
	if wanted(featurePageVisit) {
		scheme := "http://"
		if c.in.tls {
			scheme = "https://"
		}
		features[featurePageVisit] = map[string]any{"enabled": truthy(settings[featurePageVisit]),
			"entrypoint": scheme + c.in.host + catalog.PageVisit.Path}
	}
	if wanted(featureVAPIDKey) {
		key := settings[featureVAPIDKey]
		if key == "" {
			key = vapidKey(s.seed, app.Code)
		}
		features[featureVAPIDKey] = key
	}
	if wanted(featureWebInApps) {
		enabled := len(app.InApps) > 0
		if v, set := settings[featureWebInApps]; set {
			enabled = truthy(v)
		}
		features[featureWebInApps] = map[string]any{"enabled": enabled}
	}
	if wanted(featureEvents) {
		names := []string{}
		for _, e := range s.st.Events(c.account.ID, app.Code) {
			names = append(names, e.Name)
		}
		features[featureEvents] = names
	}
	if wanted(featureSubscriptionPrompt) {
		useCase := promptUseCases[0]
		if v := settings[featureSubscriptionPrompt]; slices.Contains(promptUseCases, v) {
			useCase = v
		}
		// The SDK's types say useCase; its prompt widget reads use_case.
		features[featureSubscriptionPrompt] = map[string]string{"useCase": useCase, "use_case": useCase}
	}
	return ok(map[string]any{"features": features})
}

func truthy(v string) bool {
	switch strings.ToLower(strings.TrimSpace(v)) {
	case "true", "1", "on", "enabled", "yes":
		return true
	}
	return false
}

// vapidKey is an application's VAPID public key: a P-256 point derived from the
// seed and the application code, uncompressed and base64url-encoded as browsers'
// pushManager.subscribe takes it. The same run gives the same key.
func vapidKey(seed uint64, app string) string {
	var salt [8]byte
	binary.BigEndian.PutUint64(salt[:], seed)
	for i := byte(0); ; i++ {
		sum := sha256.Sum256(append(append(salt[:], app...), i))
		key, err := ecdh.P256().NewPrivateKey(sum[:])
		if err == nil { // fails only for a scalar outside the curve's order: try the next
			return base64.RawURLEncoding.EncodeToString(key.PublicKey().Bytes())
		}
	}
}

// setPurchase records an in-app purchase on the device (its Purchases, in the
// journal's state) and as the PW_InAppPurchase event of the application, which
// getEventStatistics counts.
func (s *Server) setPurchase(c *call) reply {
	var r struct {
		ProductIdentifier string     `json:"productIdentifier"`
		Quantity          flexInt    `json:"quantity"`
		Price             flexFloat  `json:"price"`
		Currency          string     `json:"currency"`
		TransactionDate   flexString `json:"transactionDate"`
	}
	err := decodeRequestInto(c.in.body, &r)
	switch {
	case err != nil:
		return refused(catalog.MsgBadPurchaseNumbers)
	case c.req.HWID == "":
		return refused(catalog.MsgNoHWID)
	case strings.TrimSpace(r.ProductIdentifier) == "":
		return refused(catalog.MsgBadPurchase)
	case (r.Quantity.Set && r.Quantity.V < 1) || r.Price.V < 0:
		return refused(catalog.MsgBadPurchaseNumbers)
	}
	quantity := r.Quantity.V
	if !r.Quantity.Set {
		quantity = 1
	}
	app := c.app().Code
	p := state.Purchase{ProductIdentifier: r.ProductIdentifier, Quantity: quantity, Price: r.Price.V,
		Currency: r.Currency, TransactionDate: string(r.TransactionDate), At: c.in.arrive}
	if err := s.st.AddPurchase(app, string(c.req.HWID), p); err != nil {
		return refused(catalog.MsgAppNotFound)
	}
	s.st.Count(app, appActionEvent+catalog.EventInAppPurchase) //nolint:errcheck // the application was just found
	s.st.Record(app, appActionEvent+catalog.EventInAppPurchase, c.in.arrive)
	return ok(nil)
}
