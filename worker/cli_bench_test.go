//go:build linux

package worker_test

import (
	"sync"
	"sync/atomic"
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
	var ok, failed atomic.Int64
	for b.Loop() {
		old := d.status()
		stop := make(chan struct{})
		var wg sync.WaitGroup
		wg.Go(func() {
			for n := 0; n < 50000; n++ {
				select {
				case <-stop:
					return
				default:
				}
				if _, err := d.get(); err != nil {
					failed.Add(1)
				} else {
					ok.Add(1)
				}
			}
		})
		d.mustRun("reload")
		d.waitStatus("new processes", func(s status) bool {
			if len(s.Processes) != 2 {
				return false
			}
			for _, p := range s.Processes {
				for _, o := range old.Processes {
					if p.Busy || p.PID == o.PID {
						return false
					}
				}
			}
			return true
		})
		close(stop)
		wg.Wait()
	}
	b.ReportMetric(float64(failed.Load()), "failed")
	b.ReportMetric(float64(ok.Load()+failed.Load()), "requests")
}
