//go:build unix

package worker

import (
	"fmt"
	"net"
	"net/http"
)

// serveMetrics serves /metrics on the configured address, if any, and
// returns what stops it. A bad or busy address fails the start.
func (m *master) serveMetrics() (stop func(), err error) {
	addr := metricsAddr()
	if addr == "" {
		return func() {}, nil
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("worker: metrics: %w", err)
	}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /metrics", func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", metricsContentType)
		writeMetrics(w, m.status())
	})
	srv := &http.Server{Handler: mux, ReadHeaderTimeout: controlTimeout, WriteTimeout: controlTimeout}
	go srv.Serve(ln)
	m.p.log(fmt.Sprintf("%s serves metrics on http://%s/metrics", m.p.tag(), ln.Addr()))
	return func() { srv.Close() }, nil
}
