package worker_test

import (
	"testing"
)

// Wall time of the commands as a user runs them, each a fresh process of
// the test program (count 2): go test -run '^$' -bench Command ./worker

func BenchmarkCommandStart(b *testing.B) {
	d := deploy(b, 2)
	for b.Loop() {
		d.mustRun("start", "-d")
		b.StopTimer()
		d.mustRun("stop")
		b.StartTimer()
	}
}

func BenchmarkCommandStop(b *testing.B) {
	d := deploy(b, 2)
	for b.Loop() {
		b.StopTimer()
		d.mustRun("start", "-d")
		b.StartTimer()
		d.mustRun("stop")
	}
}

func BenchmarkCommandStatus(b *testing.B) {
	d := deploy(b, 2)
	d.mustRun("start", "-d")
	for b.Loop() {
		d.mustRun("status")
	}
}

func BenchmarkCommandConnections(b *testing.B) {
	d := deploy(b, 2)
	d.mustRun("start", "-d")
	for b.Loop() {
		d.mustRun("connections")
	}
}

// BenchmarkCommandReloadUnderLoad reloads while one client asks without
// pause, each request on a new connection, and reports the failed ones.
func BenchmarkCommandReloadUnderLoad(b *testing.B) {
	d := deploy(b, 2)
	d.mustRun("start", "-d")
	var ok, failed int64
	for b.Loop() {
		o, f, _ := d.reloadUnderLoad(50000)
		ok, failed = ok+o, failed+f
	}
	b.ReportMetric(float64(failed), "failed")
	b.ReportMetric(float64(ok+failed), "requests")
}
