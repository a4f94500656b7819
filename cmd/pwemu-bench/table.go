package main

import (
	"bufio"
	"fmt"
	"os"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"time"
)

// result is one row of the table: a ratio per pair and the raw figures behind it.
type result struct {
	figure string    // what is measured
	ratio  string    // what the ratio divides, e.g. "pwemu / bare"
	target string    // what the median should meet
	unit   string    // of the raw figures
	pwemu  []float64 // per pair
	base   []float64 // per pair (may be empty)
	ratios []float64 // per pair
	note   string
}

func (h *harness) add(r *result) *result {
	h.results = append(h.results, r)
	return r
}

// pair records one pair's figures and prints them as they come.
func (h *harness) pair(r *result, i int, pw, base float64) {
	r.pwemu = append(r.pwemu, pw)
	r.base = append(r.base, base)
	ratio := 0.0
	if base > 0 {
		ratio = pw / base
	}
	r.ratios = append(r.ratios, ratio)
	fmt.Fprintf(h.out, "   pair %d: %s: pwemu %s, baseline %s, ratio %.2f\n", i+1, r.figure, format(pw, r.unit), format(base, r.unit), ratio)
}

// minMedMax of xs ("–" when empty).
func minMedMax(xs []float64, f func(float64) string) string {
	if len(xs) == 0 {
		return "–"
	}
	s := slices.Clone(xs)
	slices.Sort(s)
	return f(s[0]) + " / " + f(median(s)) + " / " + f(s[len(s)-1])
}

func median(sorted []float64) float64 {
	n := len(sorted)
	if n%2 == 1 {
		return sorted[n/2]
	}
	return (sorted[n/2-1] + sorted[n/2]) / 2
}

func ratioFmt(v float64) string {
	if v >= 100 {
		return strconv.FormatFloat(v, 'f', 0, 64)
	}
	return strconv.FormatFloat(v, 'f', 2, 64)
}

// format writes a raw figure in its unit, short.
func format(v float64, unit string) string { return number(v, unit) + " " + unit }

// number writes a raw figure without its unit.
func number(v float64, unit string) string {
	switch {
	case v == 0:
		return "–"
	case unit == "ms" && v < 10, unit == "s":
		return strconv.FormatFloat(v, 'f', 2, 64)
	case unit == "ms":
		return strconv.FormatFloat(v, 'f', 0, 64)
	case v >= 10_000:
		return strconv.FormatFloat(v/1000, 'f', 1, 64) + "k"
	}
	return strconv.FormatFloat(v, 'f', 0, 64)
}

func (h *harness) printTable(took time.Duration) {
	w := h.out
	fmt.Fprintf(w, "\n%s, %s, %s; %d pair(s) a figure; took %s\n", time.Now().Format("2006-01-02"), machine(),
		"command: "+strings.Join(append([]string{"go run ./cmd/pwemu-bench"}, os.Args[1:]...), " "), h.pairs, took.Round(time.Second))
	if h.cpuprofile != "" {
		fmt.Fprintf(w, "(pwemu ran with the CPU profiler on: profiles in %s)\n", h.cpuprofile)
	}
	fmt.Fprintln(w)
	fmt.Fprintln(w, "| figure | ratio | min / median / max | target (median) | pwemu | baseline |")
	fmt.Fprintln(w, "|---|---|---|---|---|---|")
	for _, r := range h.results {
		f := func(v float64) string { return number(v, r.unit) }
		base := minMedMax(r.base, f) + " " + r.unit
		if slices.ContainsFunc(r.base, func(v float64) bool { return v == 0 }) {
			base = "–"
		}
		fig := r.figure
		if r.note != "" {
			fig += " (" + r.note + ")"
		}
		fmt.Fprintf(w, "| %s | %s | %s | %s | %s | %s |\n", fig, r.ratio, minMedMax(r.ratios, ratioFmt), r.target, minMedMax(r.pwemu, f)+" "+r.unit, base)
	}
	fmt.Fprintln(w)
	fmt.Fprintln(w, "raw figures per pair (pwemu | baseline):")
	for _, r := range h.results {
		var b strings.Builder
		for i := range r.pwemu {
			fmt.Fprintf(&b, " %s|%s", number(r.pwemu[i], r.unit), number(r.base[i], r.unit))
		}
		fmt.Fprintf(w, "  %s (%s):%s\n", r.figure, r.unit, b.String())
	}
}

// machine describes where the figures come from.
func machine() string {
	model := ""
	if f, err := os.Open("/proc/cpuinfo"); err == nil {
		s := bufio.NewScanner(f)
		for s.Scan() {
			if k, v, ok := strings.Cut(s.Text(), ":"); ok && strings.TrimSpace(k) == "model name" {
				model = strings.TrimSpace(v)
				break
			}
		}
		f.Close()
	}
	m := fmt.Sprintf("%d cores", runtime.NumCPU())
	if model != "" {
		m += " " + model
	}
	return m
}
