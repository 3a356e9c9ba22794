package main

import (
	"encoding/json"
	"fmt"
	"io"
	"slices"
	"strings"
	"time"
)

// loadReport is the result of the http and echo modes. Latency percentiles
// are over every response of every round; req/s is the median round's.
type loadReport struct {
	Mode        string        `json:"mode"`
	Target      string        `json:"target"`
	Connections int           `json:"connections"`
	Depth       int           `json:"depth"`
	Rounds      []roundReport `json:"rounds"`
	RPS         float64       `json:"rps"`
	RPSMin      float64       `json:"rps_min"`
	RPSMax      float64       `json:"rps_max"`
	Responses   uint64        `json:"responses"`
	Non2xx      uint64        `json:"non2xx"`
	Reconnects  uint64        `json:"reconnects"`
	Latency     latencyReport `json:"latency_ms"`
	Errors      errorCounts   `json:"errors"`
}

type roundReport struct {
	Responses uint64  `json:"responses"`
	Seconds   float64 `json:"seconds"`
	RPS       float64 `json:"rps"`
	Errors    uint64  `json:"errors"`
}

// latencyReport gives a histogram in milliseconds.
type latencyReport struct {
	Samples uint64  `json:"samples"`
	Min     float64 `json:"min"`
	Mean    float64 `json:"mean"`
	P50     float64 `json:"p50"`
	P90     float64 `json:"p90"`
	P99     float64 `json:"p99"`
	P999    float64 `json:"p999"`
	Max     float64 `json:"max"`
}

func newLatencyReport(h *histogram) latencyReport {
	return latencyReport{
		Samples: h.n,
		Min:     ms(h.min),
		Mean:    ms(h.mean()),
		P50:     ms(h.quantile(0.50)),
		P90:     ms(h.quantile(0.90)),
		P99:     ms(h.quantile(0.99)),
		P999:    ms(h.quantile(0.999)),
		Max:     ms(h.max),
	}
}

func ms(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }

// measureRounds runs rt the number of rounds the flags ask for.
func measureRounds(mode, targetName string, lf *loadFlags, rt *roundTrip) *loadReport {
	rep := &loadReport{Mode: mode, Target: targetName, Connections: lf.conns, Depth: lf.depth}
	var all histogram
	rates := make([]float64, 0, lf.rounds)
	for range lf.rounds {
		res := rt.run()
		rate := float64(res.responses) / res.elapsed.Seconds()
		rates = append(rates, rate)
		rep.Rounds = append(rep.Rounds, roundReport{
			Responses: res.responses, Seconds: res.elapsed.Seconds(), RPS: rate, Errors: res.errs.total(),
		})
		rep.Responses += res.responses
		rep.Non2xx += res.bad
		rep.Reconnects += res.reconnects
		rep.Errors.merge(&res.errs)
		all.merge(&res.latency)
	}
	slices.Sort(rates)
	rep.RPS, rep.RPSMin, rep.RPSMax = rates[len(rates)/2], rates[0], rates[len(rates)-1]
	rep.Latency = newLatencyReport(&all)
	return rep
}

func writeLoad(w io.Writer, c *common, r *loadReport) error {
	if c.json {
		return writeJSON(w, r)
	}
	shape := "keep-alive"
	if r.Depth > 1 {
		shape = fmt.Sprintf("pipelined x%d", r.Depth)
	}
	fmt.Fprintf(w, "%s %s: %d connections, %s, %d round(s) of %v\n", r.Mode, r.Target, r.Connections, shape, len(r.Rounds), c.duration)
	for i, rd := range r.Rounds {
		fmt.Fprintf(w, "  round %d     %s responses in %.2fs = %s req/s, %d errors\n", i+1, group(float64(rd.Responses)), rd.Seconds, group(rd.RPS), rd.Errors)
	}
	fmt.Fprintf(w, "  req/s       %s median (min %s, max %s)\n", group(r.RPS), group(r.RPSMin), group(r.RPSMax))
	writeLatency(w, "latency", &r.Latency)
	writeErrors(w, &r.Errors)
	fmt.Fprintf(w, "  non-2xx %d, reconnects %d\n", r.Non2xx, r.Reconnects)
	return nil
}

func writeLatency(w io.Writer, label string, l *latencyReport) {
	fmt.Fprintf(w, "  %-11s p50 %.3fms  p90 %.3fms  p99 %.3fms  p99.9 %.3fms  max %.3fms  (mean %.3fms, %s samples)\n",
		label, l.P50, l.P90, l.P99, l.P999, l.Max, l.Mean, group(float64(l.Samples)))
}

func writeErrors(w io.Writer, e *errorCounts) {
	shake := ""
	if e.Handshake > 0 {
		shake = fmt.Sprintf(", handshake %d", e.Handshake)
	}
	fmt.Fprintf(w, "  errors      %d (connect %d%s, write %d, read %d, parse %d)\n", e.total(), e.Connect, shake, e.Write, e.Read, e.Parse)
	if e.First != "" {
		fmt.Fprintf(w, "  first error %s\n", e.First)
	}
}

func writeJSON(w io.Writer, v any) error {
	b, err := json.Marshal(v)
	if err != nil {
		return err
	}
	_, err = fmt.Fprintf(w, "%s\n", b)
	return err
}

// group prints a count with thousands separators: 1,234,567.
func group(v float64) string {
	s := fmt.Sprintf("%.0f", v)
	var b strings.Builder
	for i, c := range s {
		if i > 0 && (len(s)-i)%3 == 0 && s[i-1] != '-' {
			b.WriteByte(',')
		}
		b.WriteRune(c)
	}
	return b.String()
}
