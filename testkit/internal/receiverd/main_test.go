package main

import (
	"encoding/json"
	"io"
	"log"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

func TestReceiverCountsBatchesAndReportsThem(t *testing.T) {
	srv := httptest.NewServer(&receiver{log: log.New(io.Discard, "", 0)})
	defer srv.Close()
	post := func(body string) int {
		t.Helper()
		resp, err := http.Post(srv.URL+"/events", "application/json", strings.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	if code := post(`[{"uuid":"a"},{"uuid":"b"}]`); code != http.StatusOK {
		t.Fatalf("batch: HTTP %d", code)
	}
	if code := post(`[{"uuid":"c"}]`); code != http.StatusOK {
		t.Fatalf("batch: HTTP %d", code)
	}
	if code := post(`{"uuid":"d"}`); code != http.StatusBadRequest {
		t.Fatalf("not an array: HTTP %d, want 400", code)
	}
	resp, err := http.Get(srv.URL + "/stats")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var st stats
	if err := json.NewDecoder(resp.Body).Decode(&st); err != nil {
		t.Fatal(err)
	}
	if want := (stats{Batches: 2, Events: 3, Invalid: 1}); st != want {
		t.Fatalf("stats %+v, want %+v", st, want)
	}
}
