package worker

import (
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"strconv"
	"strings"
	"time"
)

// MetricsAddr, when set (or the environment's WM_METRICS when it is not), is
// the address where the program serves what status knows in the Prometheus
// text format at /metrics: "127.0.0.1:9100". The master asks its children
// at each scrape, as status does; a single-process run (start -s, and start
// where there is no master) gathers its own figures. Start serves them when
// MetricsAddr is set and ignores WM_METRICS, which is for the commands.
var MetricsAddr string

// metricsContentType is the Prometheus text exposition format, version 0.0.4.
const metricsContentType = "text/plain; version=0.0.4; charset=utf-8"

// metricsAddr is where the commands serve metrics, "" for nowhere.
func metricsAddr() string {
	if MetricsAddr != "" {
		return MetricsAddr
	}
	return os.Getenv("WM_METRICS")
}

// metricsTimeout bounds one scrape's exchange, and how long stopping the
// endpoint waits for the scrapes in flight.
const metricsTimeout = 5 * time.Second

// listenMetrics listens where metrics are served (nil for addr ""): a bad
// or busy address fails the start, before it serves anything.
func listenMetrics(addr string) (net.Listener, error) {
	if addr == "" {
		return nil, nil
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("worker: metrics: %w", err)
	}
	return ln, nil
}

// serveMetrics answers GET /metrics on ln with what report makes at each
// scrape, until the returned stop, which waits for the scrapes in flight.
func serveMetrics(ln net.Listener, report func() *statusReport) (stop func()) {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /metrics", func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", metricsContentType)
		writeMetrics(w, report())
	})
	srv := &http.Server{Handler: mux, ReadHeaderTimeout: metricsTimeout, WriteTimeout: metricsTimeout}
	served := make(chan struct{})
	go func() {
		defer close(served)
		srv.Serve(ln)
	}()
	return func() {
		ctx, cancel := context.WithTimeout(context.Background(), metricsTimeout)
		defer cancel()
		if srv.Shutdown(ctx) != nil {
			srv.Close()
		}
		<-served
	}
}

// processMetric is one family of per-process figures.
type processMetric struct {
	name, kind, help string
	value            func(f *processFigures) float64
}

var processMetrics = []processMetric{
	{"workerman_process_connections", "gauge", "Open connections of the process.", func(f *processFigures) float64 { return float64(f.Connections) }},
	{"workerman_process_requests_total", "counter", "Packages the process has received (for raw tcp: reads).", func(f *processFigures) float64 { return float64(f.TotalRequests) }},
	{"workerman_process_send_failures_total", "counter", "Sends dropped: a full send buffer, or a datagram that could not be sent.", func(f *processFigures) float64 { return float64(f.SendFails) }},
	{"workerman_process_panics_total", "counter", "Panics recovered from callbacks and timers.", func(f *processFigures) float64 { return float64(f.Panics) }},
	{"workerman_process_memory_bytes", "gauge", "Resident memory of the process (VmRSS on Linux, the Go runtime's elsewhere).", func(f *processFigures) float64 { return float64(f.Memory) }},
	{"workerman_process_timers", "gauge", "Live timers on the process's event loop.", func(f *processFigures) float64 { return float64(f.Timers) }},
	{"workerman_process_event_loop_lag_seconds", "gauge", "How long the scrape's task waited in the event loop's queue.", func(f *processFigures) float64 { return f.LoopLag.Seconds() }},
}

var statusClasses = [5]string{"1xx", "2xx", "3xx", "4xx", "5xx"}

// writeMetrics writes r in the Prometheus text format. Processes that did
// not answer in time show as busy and carry no other figures.
func writeMetrics(w io.Writer, r *statusReport) error {
	var b strings.Builder
	family(&b, "workerman_start_time_seconds", "gauge", "When the program started (its master, or its one process), in seconds since the epoch.")
	sample(&b, "workerman_start_time_seconds", "", float64(r.Start.UnixNano())/1e9)
	family(&b, "workerman_worker_processes", "gauge", "Processes that run each worker: its Count, or 1 when one process runs them all.")
	for _, ws := range r.Workers {
		sample(&b, "workerman_worker_processes", labels("worker", ws.Name), float64(max(ws.Count, 1)))
	}
	family(&b, "workerman_worker_exits_total", "counter", "Child processes of each worker that ended, by raw wait status.")
	for _, ws := range r.Workers {
		for _, e := range ws.Exits {
			sample(&b, "workerman_worker_exits_total", labels("worker", ws.Name, "status", strconv.Itoa(e.Status)), float64(e.Count))
		}
	}
	family(&b, "workerman_process_busy", "gauge", "1 when the process did not answer the scrape in time.")
	for i := range r.Processes {
		busy := 0.0
		if r.Processes[i].Busy {
			busy = 1
		}
		sample(&b, "workerman_process_busy", processLabels(&r.Processes[i]), busy)
	}
	for _, m := range processMetrics {
		family(&b, m.name, m.kind, m.help)
		for i := range r.Processes {
			if ps := &r.Processes[i]; !ps.Busy {
				sample(&b, m.name, processLabels(ps), m.value(&ps.processFigures))
			}
		}
	}
	family(&b, "workerman_process_http_responses_total", "counter", "HTTP responses the process has written, by status class.")
	for i := range r.Processes {
		if ps := &r.Processes[i]; !ps.Busy {
			for c, n := range ps.HTTP {
				sample(&b, "workerman_process_http_responses_total", processLabels(ps)+`,class="`+statusClasses[c]+`"`, float64(n))
			}
		}
	}
	_, err := io.WriteString(w, b.String())
	return err
}

func family(b *strings.Builder, name, kind, help string) {
	b.WriteString("# HELP " + name + " " + help + "\n# TYPE " + name + " " + kind + "\n")
}

// sample writes one line; ls is the labels without braces.
func sample(b *strings.Builder, name, ls string, v float64) {
	b.WriteString(name)
	if ls != "" {
		b.WriteString("{" + ls + "}")
	}
	b.WriteString(" " + strconv.FormatFloat(v, 'g', -1, 64) + "\n")
}

func processLabels(ps *processStatus) string {
	return labels("worker", ps.Worker, "id", strconv.Itoa(ps.ID), "pid", strconv.Itoa(ps.PID))
}

// labels joins name, value pairs, the values escaped as the format wants.
func labels(kv ...string) string {
	var parts []string
	for i := 0; i+1 < len(kv); i += 2 {
		parts = append(parts, kv[i]+`="`+labelEscaper.Replace(kv[i+1])+`"`)
	}
	return strings.Join(parts, ",")
}

var labelEscaper = strings.NewReplacer(`\`, `\\`, `"`, `\"`, "\n", `\n`)
