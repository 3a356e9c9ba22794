package main

import (
	"bufio"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"os"
)

// The table mode turns labelled -json reports, one per line, into the
// Markdown tables of bench/README.md: HTTP req/s with ratios against a
// reference server measured in the same run, SSE capacity, and the latency
// of broadcasts where the events carried stamps shared by many clients.
//
//	{"server": "fasthttp (GOMAXPROCS 2)", "cpu_s": 4.2, "report": {...}}
//
// cpu_s, when present, is the server's user+system CPU time over the
// measurement.

// measurement is one labelled report.
type measurement struct {
	Server string          `json:"server"`
	CPU    float64         `json:"cpu_s"`
	Report json.RawMessage `json:"report"`

	load *loadReport
	sse  *sseReport
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
			fmt.Fprintln(w, "| server | clients | broadcasts | send → first receipt p50 ms | send → last receipt p50 / p99 ms | server peak RSS above connected, per conn (KB) | server CPU s | errors |")
			fmt.Fprintln(w, "| --- | --- | --- | --- | --- | --- | --- | --- |")
			header = true
		}
		peak := "–"
		if s := r.Server; s != nil && s.PeakKB > 0 {
			peak = fmt.Sprintf("%.2f", s.PeakPerConnKB)
		}
		fmt.Fprintf(w, "| %s | %d | %d | %.2f | %.2f / %.2f | %s | %.2f | %d |\n",
			m.Server, r.Clients, r.Broadcasts, r.BroadcastFirst.P50, r.BroadcastLast.P50, r.BroadcastLast.P99, peak, m.CPU, r.Errors.total())
	}
}
