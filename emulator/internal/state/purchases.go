package state

import (
	"slices"
	"time"
)

// Purchase is an in-app purchase a device reported with setPurchase.
type Purchase struct {
	ProductIdentifier string    `json:"productIdentifier"`
	Quantity          int64     `json:"quantity"`
	Price             float64   `json:"price"`
	Currency          string    `json:"currency"`
	TransactionDate   string    `json:"transactionDate,omitempty"` // as the SDK sent it
	At                time.Time `json:"at"`                        // when pwemu received it
}

// MaxPurchases bounds the purchases a device remembers; the oldest are forgotten.
const MaxPurchases = 100

// AddPurchase records a purchase on an application's device (creating the device
// record, as the other device calls do).
func (s *Store) AddPurchase(application, hwid string, p Purchase) error {
	return s.Touch(application, hwid, func(d *Device) {
		d.Purchases = append(d.Purchases, p)
		if n := len(d.Purchases) - MaxPurchases; n > 0 {
			d.Purchases = slices.Delete(d.Purchases, 0, n)
		}
	})
}
