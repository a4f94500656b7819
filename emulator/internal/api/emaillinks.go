package api

import (
	"cmp"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/pwemu/pwemu/emulator/catalog"
	"github.com/pwemu/pwemu/emulator/internal/state"
)

// Email link statistics: POST /api/v2/statistics/emails/linksInteractions (clicks by
// link) and .../linksInteractionsDevices (each click: when, which link, which
// device), over the Email Link Clicked events the lifecycle played (the scenario's
// lifecycle.clicked share of the email opens, each on one link of the email).

func init() {
	apiHandlers[catalog.LinksInteractions] = (*Server).linksInteractions
	apiHandlers[catalog.LinksInteractionsDevices] = (*Server).linksInteractionsDevices
}

// linkPattern finds the links of an email: http(s) URLs up to a space, a quote or
// a tag's end.
var linkPattern = regexp.MustCompile(`https?://[^\s"'<>\\]+`)

// emailLinks are the distinct links of an email message, in order: those of its
// content, then those of its preset's content (where an email's body lives).
func (s *Server) emailLinks(m *state.Message) []string {
	var links []string
	add := func(b []byte) {
		for _, l := range linkPattern.FindAll(b, -1) {
			if link := string(l); !slices.Contains(links, link) {
				links = append(links, link)
			}
		}
	}
	add(m.ContentRaw)
	if m.Preset != "" {
		if p, found := s.st.Preset(m.AccountID, m.Preset); found {
			add(p.Content)
		}
	}
	return links
}

// linksRequest is the body of both endpoints.
type linksRequest struct {
	Filters *struct {
		Campaign     string `json:"campaign"`
		LinkTemplate string `json:"link_template"`
		DateRange    *struct {
			DateFrom string `json:"date_from"`
			DateTo   string `json:"date_to"`
		} `json:"date_range"`
	} `json:"filters"`
	PerPage *int `json:"per_page"`
	Page    int  `json:"page"`
}

// linkClicks reads a links request and answers the account's clicks it selects,
// oldest first, with the page bounds; rep is the 400 when the request is bad.
func (s *Server) linkClicks(c *call) (clicks []state.LinkClick, perPage, page int, rep reply, good bool) {
	var r linksRequest
	if !decodeV2(c.in.body, &r) {
		return nil, 0, 0, badRequest(catalog.MsgBadJSON), false
	}
	f := r.Filters
	switch {
	case f == nil:
		return nil, 0, 0, badRequest(catalog.MsgNoFilters), false
	case f.DateRange == nil:
		return nil, 0, 0, badRequest(catalog.MsgNoDateRange), false
	case r.PerPage != nil && (*r.PerPage < 0 || *r.PerPage > maxListPerPage):
		return nil, 0, 0, badRequest(catalog.MsgPerPage), false
	case r.Page < 0:
		return nil, 0, 0, badRequest(catalog.MsgPage), false
	}
	from, bad := v2Day(f.DateRange.DateFrom, "filters.date_range.date_from", time.Time{})
	if bad == "" && from.IsZero() {
		bad = "filters.date_range.date_from is required"
	}
	var to time.Time
	if bad == "" {
		if to, bad = v2Day(f.DateRange.DateTo, "filters.date_range.date_to", time.Time{}); bad == "" && to.IsZero() {
			bad = "filters.date_range.date_to is required"
		}
	}
	switch {
	case bad != "":
		return nil, 0, 0, badRequest(bad), false
	case to.Before(from):
		return nil, 0, 0, badRequest(catalog.MsgDateRangeOrder), false
	case to.Sub(from) > maxLogInterval:
		return nil, 0, 0, badRequest(catalog.MsgLogInterval), false
	}
	lo, hi := from.Unix(), to.Add(24*time.Hour).Unix() // date_to's whole day
	clicks = s.st.LinkClicks(c.account.ID, func(k *state.LinkClick) bool {
		return k.Timestamp >= lo && k.Timestamp < hi && c.token.Covers(k.Application) &&
			(f.Campaign == "" || k.Campaign == f.Campaign) &&
			(f.LinkTemplate == "" || linkMatches(f.LinkTemplate, k.Link))
	})
	perPage = defaultListPerPage
	if r.PerPage != nil && *r.PerPage > 0 {
		perPage = *r.PerPage
	}
	return clicks, perPage, max(r.Page, 1), reply{}, true
}

// linkMatches reports whether link is template, where a * in template stands for
// any run of characters (https://shop.example/*?utm=*).
func linkMatches(template, link string) bool {
	parts := strings.Split(template, "*")
	if len(parts) == 1 {
		return template == link
	}
	if !strings.HasPrefix(link, parts[0]) {
		return false
	}
	link = link[len(parts[0]):]
	last := parts[len(parts)-1]
	for _, p := range parts[1 : len(parts)-1] {
		i := strings.Index(link, p)
		if i < 0 {
			return false
		}
		link = link[i+len(p):]
	}
	return strings.HasSuffix(link, last)
}

// pageOf is the page-th perPage slice of n items (pages count from 1).
func pageOf(n, perPage, page int) (lo, hi int) {
	lo = min((page-1)*perPage, n)
	return lo, min(lo+perPage, n)
}

type linkClickRow struct {
	Timestamp string `json:"timestamp"`
	Link      string `json:"link"`
	HWID      string `json:"hwid"`
}

// linksInteractionsDevices lists the clicks, oldest first.
func (s *Server) linksInteractionsDevices(c *call, _ map[string]string) reply {
	clicks, perPage, page, rep, good := s.linkClicks(c)
	if !good {
		return rep
	}
	lo, hi := pageOf(len(clicks), perPage, page)
	items := make([]linkClickRow, 0, hi-lo)
	for _, k := range clicks[lo:hi] {
		items = append(items, linkClickRow{Timestamp: time.Unix(k.Timestamp, 0).UTC().Format(dateTimeLayout), Link: k.Link, HWID: k.HWID})
	}
	return jsonOK(struct {
		Total int            `json:"total"`
		Items []linkClickRow `json:"items"`
	}{len(clicks), items})
}

type linkTotals struct {
	Link          string `json:"link"`
	Clicks        int    `json:"clicks"`
	UniqueDevices int    `json:"unique_devices"`
}

// linksInteractions counts the clicks by link: all of them and the distinct devices,
// most clicked first (then by link).
func (s *Server) linksInteractions(c *call, _ map[string]string) reply {
	clicks, perPage, page, rep, good := s.linkClicks(c)
	if !good {
		return rep
	}
	by := map[string]*linkTotals{}
	devices := map[[2]string]bool{}
	var totals []*linkTotals
	for _, k := range clicks {
		t := by[k.Link]
		if t == nil {
			t = &linkTotals{Link: k.Link}
			by[k.Link] = t
			totals = append(totals, t)
		}
		t.Clicks++
		if key := [2]string{k.Link, k.HWID}; !devices[key] {
			devices[key] = true
			t.UniqueDevices++
		}
	}
	slices.SortFunc(totals, func(a, b *linkTotals) int {
		return cmp.Or(cmp.Compare(b.Clicks, a.Clicks), cmp.Compare(a.Link, b.Link))
	})
	lo, hi := pageOf(len(totals), perPage, page)
	items := make([]linkTotals, 0, hi-lo)
	for _, t := range totals[lo:hi] {
		items = append(items, *t)
	}
	return jsonOK(struct {
		Total int          `json:"total"`
		Items []linkTotals `json:"items"`
	}{len(totals), items})
}
