//go:build unix

package worker

import "fmt"

// serveMetrics serves /metrics on the configured address, if any, and
// returns what stops it. A bad or busy address fails the start.
func (m *master) serveMetrics() (stop func(), err error) {
	ln, err := listenMetrics(metricsAddr())
	if ln == nil {
		return func() {}, err
	}
	stop = serveMetrics(ln, m.status)
	m.p.log(fmt.Sprintf("%s serves metrics on http://%s/metrics", m.p.tag(), ln.Addr()))
	return stop, nil
}
