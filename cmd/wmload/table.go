package main

import (
	"bufio"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"os"
	"slices"
	"strconv"
)

// The table mode turns labelled -json reports, one per line, into the
// Markdown tables of bench/README.md: HTTP req/s with ratios against a
// reference server measured in the same run, SSE capacity, the latency
// of broadcasts where the events carried stamps shared by many clients, and
// TLS handshakes/s with ratios against the same reference.
//
//	{"server": "fasthttp (GOMAXPROCS 2)", "cpu_s": 4.2, "report": {...}}
//
// cpu_s, when present, is the server's user+system CPU time over the
// measurement. Reports of one server in one mode are rounds of one
// measurement (a script that interleaves servers round by round writes them
// so): the table merges them (mergeRounds).

// measurement is one labelled report.
type measurement struct {
	Server string          `json:"server"`
	CPU    float64         `json:"cpu_s"`
	Report json.RawMessage `json:"report"`

	load      *loadReport
	sse       *sseReport
	handshake *handshakeReport
	rounds    []measurement // the measurements mergeRounds makes this one of
}

func runTable(args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("table", flag.ContinueOnError)
	fs.SetOutput(stderr)
	ref := fs.String("ref", "fasthttp (GOMAXPROCS 2)", "server the req/s ratios are against")
	if err := fs.Parse(args); err != nil {
		return err
	}
	in := io.Reader(os.Stdin)
	if fs.NArg() > 1 {
		return fmt.Errorf("table: want at most one results file, got %d arguments", fs.NArg())
	}
	if fs.NArg() == 1 {
		f, err := os.Open(fs.Arg(0))
		if err != nil {
			return fmt.Errorf("table: %w", err)
		}
		defer f.Close()
		in = f
	}
	ms, err := readMeasurements(in)
	if err != nil {
		return err
	}
	ms = mergeRounds(ms)
	var load, sse, shake int
	for _, m := range ms {
		switch {
		case m.sse != nil:
			sse++
		case m.handshake != nil:
			shake++
		default:
			load++
		}
	}
	if load > 0 {
		writeHTTPTable(stdout, ms, *ref)
	}
	if sse > 0 {
		writeSSETable(stdout, ms)
		writeBroadcastTable(stdout, ms)
	}
	if shake > 0 {
		writeHandshakeTable(stdout, ms, *ref, load+sse > 0)
	}
	return nil
}

func readMeasurements(r io.Reader) ([]measurement, error) {
	var ms []measurement
	sc := bufio.NewScanner(r)
	sc.Buffer(nil, 1<<20)
	for n := 1; sc.Scan(); n++ {
		var m measurement
		var kind struct{ Mode string }
		if err := json.Unmarshal(sc.Bytes(), &m); err != nil {
			return nil, fmt.Errorf("table: results line %d: %w", n, err)
		}
		if err := json.Unmarshal(m.Report, &kind); err != nil {
			return nil, fmt.Errorf("table: results line %d: report: %w", n, err)
		}
		var err error
		switch kind.Mode {
		case "sse":
			m.sse = new(sseReport)
			err = json.Unmarshal(m.Report, m.sse)
		case "handshake":
			m.handshake = new(handshakeReport)
			err = json.Unmarshal(m.Report, m.handshake)
		default:
			m.load = new(loadReport)
			err = json.Unmarshal(m.Report, m.load)
		}
		if err != nil {
			return nil, fmt.Errorf("table: results line %d: report: %w", n, err)
		}
		ms = append(ms, m)
	}
	return ms, sc.Err()
}

// shape names the mode of a row; a report of another load generator (mode
// "wrk", from bench/lib.sh) is a mode of its own, with its own reference.
// mergeRounds makes one measurement of the load reports of each server and
// mode, where the first of them was: its rounds are all of theirs, req/s
// the median round's, latency the median of their p50 and of their p99 and
// the largest max (percentiles of separate runs do not add up), and
// counts and CPU time their sums. Handshake reports of one server and kind
// merge the same way (mergeHandshakes).
func mergeRounds(ms []measurement) []measurement {
	first := map[string]int{}
	var out []measurement
	for _, m := range ms {
		var key string
		switch {
		case m.load != nil:
			key = m.Server + "\x00" + m.load.shape()
		case m.handshake != nil:
			key = m.Server + "\x00handshake\x00" + m.handshake.kind()
		default:
			out = append(out, m)
			continue
		}
		i, ok := first[key]
		if !ok {
			first[key] = len(out)
			out = append(out, m)
			continue
		}
		into := &out[i]
		if len(into.rounds) == 0 {
			into.rounds = []measurement{*into}
		}
		into.rounds = append(into.rounds, m)
		into.CPU += m.CPU
	}
	for i := range out {
		g := out[i].rounds
		if len(g) == 0 {
			continue
		}
		if out[i].load != nil {
			loads := make([]*loadReport, len(g))
			for j := range g {
				loads[j] = g[j].load
			}
			out[i].load = mergeReports(loads)
		} else {
			out[i].handshake = mergeHandshakes(g)
		}
	}
	return out
}

func mergeReports(g []*loadReport) *loadReport {
	r := *g[0]
	r.Rounds, r.Responses, r.Non2xx, r.Reconnects, r.Errors = nil, 0, 0, 0, errorCounts{}
	var p50, p99 []float64
	for _, o := range g {
		if len(o.Rounds) == 0 { // a report written by hand
			r.Rounds = append(r.Rounds, roundReport{Responses: o.Responses, RPS: o.RPS})
		}
		r.Rounds = append(r.Rounds, o.Rounds...)
		r.Responses += o.Responses
		r.Non2xx += o.Non2xx
		r.Reconnects += o.Reconnects
		r.Errors.merge(&o.Errors)
		p50, p99 = append(p50, o.Latency.P50), append(p99, o.Latency.P99)
		r.Latency.Max = max(r.Latency.Max, o.Latency.Max)
	}
	rates := make([]float64, len(r.Rounds))
	for i, rd := range r.Rounds {
		rates[i] = rd.RPS
	}
	r.RPS, r.RPSMin, r.RPSMax = spread(rates)
	r.Latency.P50, r.Latency.P99 = median(p50), median(p99)
	return &r
}

// mergeHandshakes makes one report of the rounds of one handshake
// measurement, as mergeReports does for load reports: handshakes/s is the
// median round's, with the slowest and fastest kept.
func mergeHandshakes(g []measurement) *handshakeReport {
	r := *g[0].handshake
	r.Seconds, r.Handshakes, r.Completed, r.Non2xx, r.ClientCPU, r.Errors = 0, 0, 0, 0, 0, errorCounts{}
	var rates, p50, p99 []float64
	for _, m := range g {
		o := m.handshake
		r.Seconds += o.Seconds
		r.Handshakes += o.Handshakes
		r.Completed += o.Completed
		r.Non2xx += o.Non2xx
		r.ClientCPU += o.ClientCPU
		r.Errors.merge(&o.Errors)
		rates, p50, p99 = append(rates, o.PerSecond), append(p50, o.Handshake.P50), append(p99, o.Handshake.P99)
		r.Handshake.Max = max(r.Handshake.Max, o.Handshake.Max)
	}
	r.PerSecond, r.PerSecondMin, r.PerSecondMax = spread(rates)
	r.Handshake.P50, r.Handshake.P99 = median(p50), median(p99)
	return &r
}

// spread sorts v and returns its median, least and greatest.
func spread(v []float64) (mid, lo, hi float64) {
	slices.Sort(v)
	return v[len(v)/2], v[0], v[len(v)-1]
}

func median(v []float64) float64 {
	mid, _, _ := spread(v)
	return mid
}

func (r *loadReport) shape() string {
	s := "keep-alive"
	if r.Depth > 1 {
		s = fmt.Sprintf("pipelined ×%d", r.Depth)
	}
	if r.Mode == "wrk" {
		s += ", wrk"
	}
	return s
}

func writeHTTPTable(w io.Writer, ms []measurement, ref string) {
	base := map[string]float64{}
	for _, m := range ms {
		if m.load != nil && m.Server == ref {
			base[m.load.shape()] = m.load.RPS
		}
	}
	fmt.Fprintf(w, "| server | mode | req/s median (min–max) | × %s | p50 / p99 / max ms | server CPU µs/req | errors |\n", ref)
	fmt.Fprintln(w, "| --- | --- | --- | --- | --- | --- | --- |")
	for _, pipelined := range []bool{false, true} {
		for _, wrk := range []bool{false, true} {
			for _, m := range ms {
				r := m.load
				if r == nil || (r.Depth > 1) != pipelined || (r.Mode == "wrk") != wrk {
					continue
				}
				fmt.Fprintf(w, "| %s | %s | %s (%s–%s) | %s | %.2f / %.2f / %.1f | %s | %s |\n",
					m.Server, r.shape(), group(r.RPS), group(r.RPSMin), group(r.RPSMax), ratioCell(r.RPS, base[r.shape()]),
					r.Latency.P50, r.Latency.P99, r.Latency.Max, microsEach(m.CPU, r.Responses, 1), errorCell(&r.Errors, r.Non2xx))
			}
		}
	}
}

func writeSSETable(w io.Writer, ms []measurement) {
	fmt.Fprintln(w)
	fmt.Fprintln(w, "| server | clients | connected | connect all (s) | every client has an event (s) | events/s | send → receipt p50 / p99 ms | server RSS before → after (MB) | RSS / conn (KB) | server CPU s | errors |")
	fmt.Fprintln(w, "| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |")
	for _, m := range ms {
		r := m.sse
		if r == nil {
			continue
		}
		mem, per, late := "–", "–", "–"
		if l := r.Stamped; l != nil {
			late = fmt.Sprintf("%.2f / %.2f", l.P50, l.P99)
		}
		if s := r.Server; s != nil {
			mem = fmt.Sprintf("%.1f → %.1f (%d processes)", float64(s.BeforeKB)/1024, float64(s.AfterKB)/1024, s.Processes)
			per = fmt.Sprintf("%.2f", s.PerConnKB)
		}
		fmt.Fprintf(w, "| %s | %d | %d | %.3f | %.3f | %s | %s | %s | %s | %.2f | %d |\n",
			m.Server, r.Clients, r.Connected, r.ConnectAll, r.FirstEventAll, group(r.EventsPerSecond), late, mem, per, m.CPU, r.Errors.total())
	}
}

// writeBroadcastTable lists the SSE runs whose stamps were shared by many
// clients: how long a broadcast took to reach its first and its last client,
// and how much the server's peak memory rose above holding the streams.
func writeBroadcastTable(w io.Writer, ms []measurement) {
	header := false
	for _, m := range ms {
		r := m.sse
		if r == nil || r.BroadcastLast == nil || r.BroadcastFirst == nil {
			continue
		}
		if !header {
			fmt.Fprintln(w)
			fmt.Fprintln(w, "| server | clients | broadcasts | send → first receipt p50 ms | send → last receipt p50 / p99 ms | server peak RSS above connected, per conn (KB) | server CPU s | wmload CPU s | errors |")
			fmt.Fprintln(w, "| --- | --- | --- | --- | --- | --- | --- | --- | --- |")
			header = true
		}
		peak := "–"
		if s := r.Server; s != nil && s.PeakKB > 0 {
			peak = fmt.Sprintf("%.2f", s.PeakPerConnKB)
		}
		load := "–"
		if r.ClientCPU > 0 {
			load = fmt.Sprintf("%.2f", r.ClientCPU)
		}
		fmt.Fprintf(w, "| %s | %d | %d | %.2f | %.2f / %.2f | %s | %.2f | %s | %d |\n",
			m.Server, r.Clients, r.Broadcasts, r.BroadcastFirst.P50, r.BroadcastLast.P50, r.BroadcastLast.P99, peak, m.CPU, load, r.Errors.total())
	}
}

// kind is what the handshakes of a report were: those of one kind compare.
func (r *handshakeReport) kind() string {
	return fmt.Sprintf("%s; %d clients", r.Negotiated, r.Clients)
}

// writeHandshakeTable lists the handshake runs, those of one kind of
// connection (what was negotiated, and how many clients) together, with
// handshakes/s as ratios against the reference server's run of that kind.
func writeHandshakeTable(w io.Writer, ms []measurement, ref string, after bool) {
	var kinds []string
	base := map[string]float64{}
	for _, m := range ms {
		if r := m.handshake; r != nil {
			if k := r.kind(); !slices.Contains(kinds, k) {
				kinds = append(kinds, k)
			}
			if m.Server == ref {
				base[r.kind()] = r.PerSecond
			}
		}
	}
	if after {
		fmt.Fprintln(w)
	}
	fmt.Fprintf(w, "| server | connection | handshakes/s median (min–max) | × %s | handshake p50 / p99 ms | server CPU µs/handshake | client CPU µs/handshake | errors |\n", ref)
	fmt.Fprintln(w, "| --- | --- | --- | --- | --- | --- | --- | --- |")
	for _, k := range kinds {
		for _, m := range ms {
			r := m.handshake
			if r == nil || r.kind() != k {
				continue
			}
			fmt.Fprintf(w, "| %s | %s | %s (%s–%s) | %s | %.2f / %.2f | %s | %s | %s |\n",
				m.Server, k, group(r.PerSecond), group(r.PerSecondMin), group(r.PerSecondMax), ratioCell(r.PerSecond, base[k]),
				r.Handshake.P50, r.Handshake.P99, microsEach(m.CPU, r.Handshakes, 0), microsEach(r.ClientCPU, r.Handshakes, 0),
				errorCell(&r.Errors, r.Non2xx))
		}
	}
}

// ratioCell is v against the reference's base, "–" without one.
func ratioCell(v, base float64) string {
	if base <= 0 {
		return "–"
	}
	return fmt.Sprintf("%.2f", v/base)
}

// microsEach is CPU seconds spread over n, in µs with prec decimals; "–"
// when either is unknown.
func microsEach(seconds float64, n uint64, prec int) string {
	if seconds <= 0 || n == 0 {
		return "–"
	}
	return strconv.FormatFloat(seconds*1e6/float64(n), 'f', prec, 64)
}

// errorCell counts every failure and names the first.
func errorCell(e *errorCounts, non2xx uint64) string {
	s := fmt.Sprint(e.total() + non2xx)
	if e.First != "" {
		s += " (" + e.First + ")"
	}
	return s
}
