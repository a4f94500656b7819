package api

import (
	"encoding/json"
	"net/http"
	"slices"
	"strconv"
	"strings"

	"github.com/pwemu/pwemu/emulator/catalog"
	"github.com/pwemu/pwemu/emulator/internal/state"
)

// getPushHistory (https://docs.pushwoosh.com/platform-docs/api-reference/messages#getpushhistory)
// lists the account's messages, newest first, catalog.HistoryPage at a time:
// lastNotificationID (the last id of the previous page) asks for the older ones;
// source and searchBy/value narrow the list.

type pushHistoryRequest struct {
	Source             string     `json:"source"`
	SearchBy           string     `json:"searchBy"`
	Value              flexString `json:"value"`
	LastNotificationID flexString `json:"lastNotificationID"`
}

type pushHistoryRow struct {
	ID          uint64          `json:"id"`
	Code        string          `json:"code"`
	CreateDate  string          `json:"createDate"`
	SendDate    string          `json:"sendDate"`
	Status      string          `json:"status"`
	Source      string          `json:"source"`
	Application string          `json:"application"`
	Campaign    string          `json:"campaign"`
	Content     json.RawMessage `json:"content"`
	Platforms   []int           `json:"platforms"`
	Data        json.RawMessage `json:"data"`
}

// historySource is a message's source in getPushHistory's spelling; sources it has
// no name for keep messages:list's.
func historySource(m *state.Message) string {
	src := sourceOf(m)
	for name, v2 := range catalog.HistorySources {
		if v2 == src {
			return name
		}
	}
	return src
}

func (s *Server) getPushHistory(c *call) reply {
	var r pushHistoryRequest
	if !c.decodeInto(&r) {
		return httpError(http.StatusBadRequest)
	}
	if r.Source != "" {
		if _, known := catalog.HistorySources[r.Source]; !known {
			return refused(catalog.MsgUnknownHistorySource)
		}
	}
	if r.SearchBy != "" {
		if !slices.Contains(catalog.HistorySearches, r.SearchBy) {
			return refused(catalog.MsgUnknownHistorySearch)
		}
		if strings.TrimSpace(string(r.Value)) == "" {
			return refused(catalog.MsgNoHistoryValue)
		}
	}
	var before uint64
	if last := strings.TrimSpace(string(r.LastNotificationID)); last != "" && last != "0" {
		n, err := strconv.ParseUint(last, 10, 64)
		if err != nil {
			return httpError(http.StatusBadRequest)
		}
		before = n
	}
	value := strings.TrimSpace(string(r.Value))
	msgs := s.st.MessagesOfAccount(c.account.ID)
	rows := []pushHistoryRow{}
	for i := len(msgs) - 1; i >= 0 && len(rows) < catalog.HistoryPage; i-- {
		m := &msgs[i]
		covered := true
		for _, app := range m.Applications {
			covered = covered && c.token.Covers(app)
		}
		switch {
		case !covered,
			before != 0 && m.ID >= before,
			r.Source != "" && historySource(m) != r.Source,
			r.SearchBy == "notificationID" && strconv.FormatUint(m.ID, 10) != value,
			r.SearchBy == "notificationCode" && m.Code != value,
			r.SearchBy == "applicationCode" && !slices.Contains(m.Applications, value),
			r.SearchBy == "campaignCode" && m.Campaign != value:
			continue
		}
		row := pushHistoryRow{ID: m.ID, Code: m.Code, CreateDate: m.Created.UTC().Format(dateTimeLayout),
			SendDate: m.SendDate.UTC().Format(dateTimeLayout), Status: m.Status, Source: historySource(m),
			Campaign: m.Campaign, Content: contentObject(m), Platforms: m.Platforms, Data: m.Data}
		if len(m.Applications) > 0 {
			row.Application = m.Applications[0]
		}
		if row.Platforms == nil {
			row.Platforms = []int{}
		}
		if isNull(row.Data) {
			row.Data = nil
		}
		rows = append(rows, row)
	}
	return ok(map[string][]pushHistoryRow{"rows": rows})
}
