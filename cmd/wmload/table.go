package main

import (
	"bufio"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"os"
	"slices"
)

// The table mode turns labelled -json reports, one per line, into the
// Markdown tables of bench/README.md: HTTP req/s with ratios against a
// reference server measured in the same run, SSE capacity, and the latency
// of broadcasts where the events carried stamps shared by many clients.
//
//	{"server": "fasthttp (GOMAXPROCS 2)", "cpu_s": 4.2, "report": {...}}
//
// cpu_s, when present, is the server's user+system CPU time over the
// measurement. Reports of one server in one mode are rounds of one
// measurement (a script that interleaves servers round by round writes them
// so): the table merges them (mergeLoad).

// measurement is one labelled report.
type measurement struct {
	Server string          `json:"server"`
	CPU    float64         `json:"cpu_s"`
	Report json.RawMessage `json:"report"`

	load  *loadReport
	sse   *sseReport
	group []*loadReport // the reports mergeLoad makes load of
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
	ms = mergeLoad(ms)
	var load, sse int
	for _, m := range ms {
		if m.sse != nil {
			sse++
		} else {
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
// mergeLoad makes one measurement of the load reports of each server and
// mode, where the first of them was: its rounds are all of theirs, req/s
// the median round's, latency the median of their p50 and of their p99 and
// the largest max (percentiles of separate runs do not add up), and
// counts and CPU time their sums.
func mergeLoad(ms []measurement) []measurement {
	first := map[string]int{}
	var out []measurement
	for _, m := range ms {
		if m.load == nil {
			out = append(out, m)
			continue
		}
		key := m.Server + "\x00" + m.load.shape()
		i, ok := first[key]
		if !ok {
			first[key] = len(out)
			out = append(out, m)
			continue
		}
		into := &out[i]
		if len(into.group) == 0 {
			into.group = []*loadReport{into.load}
		}
		into.group = append(into.group, m.load)
		into.CPU += m.CPU
	}
	for i := range out {
		if g := out[i].group; len(g) > 0 {
			out[i].load = mergeReports(g)
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
	slices.Sort(rates)
	slices.Sort(p50)
	slices.Sort(p99)
	r.RPS, r.RPSMin, r.RPSMax = rates[len(rates)/2], rates[0], rates[len(rates)-1]
	r.Latency.P50, r.Latency.P99 = p50[len(p50)/2], p99[len(p99)/2]
	return &r
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
				ratio, cpu := "–", "–"
				if b := base[r.shape()]; b > 0 {
					ratio = fmt.Sprintf("%.2f", r.RPS/b)
				}
				if m.CPU > 0 && r.Responses > 0 {
					cpu = fmt.Sprintf("%.1f", m.CPU*1e6/float64(r.Responses))
				}
				errs := fmt.Sprint(r.Errors.total() + r.Non2xx)
				if r.Errors.First != "" {
					errs += " (" + r.Errors.First + ")"
				}
				fmt.Fprintf(w, "| %s | %s | %s (%s–%s) | %s | %.2f / %.2f / %.1f | %s | %s |\n",
					m.Server, r.shape(), group(r.RPS), group(r.RPSMin), group(r.RPSMax), ratio,
					r.Latency.P50, r.Latency.P99, r.Latency.Max, cpu, errs)
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
