//go:build unix

package interop

import (
	"bytes"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"syscall"
	"testing"

	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"

	"github.com/workerman-go/workerman/internal/nettest"
)

var programs nettest.Programs

func TestMain(m *testing.M) { os.Exit(nettest.Run(m, &programs)) }

// TestPrometheusParsesMetrics: a master with two children, scraped over
// HTTP and read by Prometheus's own text parser, shows every family with
// its type and the requests the test made.
func TestPrometheusParsesMetrics(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs a program")
	}
	web, metrics := startApp(t, "start")
	var first map[string]*dto.MetricFamily
	nettest.Eventually(t, "both children answer a scrape", func() bool {
		var err error
		first, err = scrape(metrics)
		return err == nil && len(first["workerman_process_connections"].GetMetric()) == 2
	})
	// A child killed shows as an exit with its wait status; the master
	// replaces it.
	victim, _ := strconv.Atoi(label(first["workerman_process_connections"].GetMetric()[0], "pid"))
	if err := syscall.Kill(victim, syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	nettest.Eventually(t, "the replacement answers a scrape", func() bool {
		fams, err := scrape(metrics)
		if err != nil || len(fams["workerman_process_connections"].GetMetric()) != 2 {
			return false
		}
		for _, m := range fams["workerman_process_connections"].GetMetric() {
			if label(m, "pid") == strconv.Itoa(victim) {
				return false
			}
		}
		return true
	})
	askThree(t, web)

	fams, err := scrape(metrics)
	if err != nil {
		t.Fatal(err)
	}
	haveFamilies(t, fams)
	if exits := fams["workerman_worker_exits_total"].GetMetric(); len(exits) != 1 || label(exits[0], "status") != "9" || exits[0].GetCounter().GetValue() != 1 {
		t.Errorf("exits %v, want one with status 9", exits)
	}
	answeredThree(t, fams)
	if n := len(fams["workerman_process_memory_bytes"].GetMetric()); n != 2 {
		t.Errorf("memory of %d processes, want 2", n)
	}
}

// TestPrometheusParsesSingleProcessMetrics: start -s serves the same
// families, read by the same parser: its one process, with the requests the
// test made, and no exits.
func TestPrometheusParsesSingleProcessMetrics(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs a program")
	}
	web, metrics := startApp(t, "start", "-s")
	nettest.Eventually(t, "the process answers a scrape", func() bool {
		_, err := scrape(metrics)
		return err == nil
	})
	askThree(t, web)

	fams, err := scrape(metrics)
	if err != nil {
		t.Fatal(err)
	}
	haveFamilies(t, fams, "workerman_worker_exits_total") // nothing exited
	answeredThree(t, fams)
	procs := fams["workerman_process_busy"].GetMetric()
	if len(procs) != 1 || label(procs[0], "worker") != "web" || label(procs[0], "id") != "0" || procs[0].GetGauge().GetValue() != 0 {
		t.Errorf("processes %v, want the one of web, answering", procs)
	}
	if n := fams["workerman_worker_processes"].GetMetric(); len(n) != 1 || n[0].GetGauge().GetValue() != 1 {
		t.Errorf("worker processes %v, want 1", n)
	}
}

// startApp runs metricsapp with args, its metrics on a free address, and
// interrupts it at cleanup.
func startApp(t *testing.T, args ...string) (web, metrics string) {
	t.Helper()
	bin := programs.Build(t, "./testdata/metricsapp")
	dir := t.TempDir()
	web, metrics = nettest.FreeAddr(t), nettest.FreeAddr(t)
	var out bytes.Buffer
	cmd := exec.Command(bin, args...)
	cmd.Dir, cmd.Stdout, cmd.Stderr = dir, &out, &out
	cmd.Env = append(os.Environ(), "APP_ADDR="+web, "WM_METRICS="+metrics, "APP_PID="+filepath.Join(dir, "app.pid"))
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		cmd.Process.Signal(syscall.SIGINT)
		cmd.Wait()
		if t.Failed() {
			t.Logf("program output:\n%s", out.String())
		}
	})
	return web, metrics
}

// askThree makes two requests that answer 200 and one that answers 404.
func askThree(t *testing.T, web string) {
	t.Helper()
	for _, path := range []string{"/", "/", "/missing"} {
		res, err := http.Get("http://" + web + path)
		if err != nil {
			t.Fatal(err)
		}
		io.Copy(io.Discard, res.Body)
		res.Body.Close()
	}
}

// haveFamilies checks that every family is there, with its type, but those
// named empty: they have no samples, and the parser leaves out a family
// without samples.
func haveFamilies(t *testing.T, fams map[string]*dto.MetricFamily, empty ...string) {
	t.Helper()
	want := map[string]dto.MetricType{
		"workerman_start_time_seconds":             dto.MetricType_GAUGE,
		"workerman_worker_processes":               dto.MetricType_GAUGE,
		"workerman_worker_exits_total":             dto.MetricType_COUNTER,
		"workerman_process_busy":                   dto.MetricType_GAUGE,
		"workerman_process_connections":            dto.MetricType_GAUGE,
		"workerman_process_requests_total":         dto.MetricType_COUNTER,
		"workerman_process_send_failures_total":    dto.MetricType_COUNTER,
		"workerman_process_panics_total":           dto.MetricType_COUNTER,
		"workerman_process_memory_bytes":           dto.MetricType_GAUGE,
		"workerman_process_timers":                 dto.MetricType_GAUGE,
		"workerman_process_event_loop_lag_seconds": dto.MetricType_GAUGE,
		"workerman_process_http_responses_total":   dto.MetricType_COUNTER,
	}
	for _, name := range empty {
		if f, ok := fams[name]; ok {
			t.Errorf("%s has samples: %v", name, f.GetMetric())
		}
		delete(want, name)
	}
	for name, typ := range want {
		f, ok := fams[name]
		if !ok {
			t.Errorf("no family %s", name)
			continue
		}
		if f.GetType() != typ {
			t.Errorf("%s is a %s, want a %s", name, f.GetType(), typ)
		}
	}
}

// answeredThree checks the responses to askThree, summed over processes.
func answeredThree(t *testing.T, fams map[string]*dto.MetricFamily) {
	t.Helper()
	byClass := map[string]float64{}
	for _, m := range fams["workerman_process_http_responses_total"].GetMetric() {
		byClass[label(m, "class")] += m.GetCounter().GetValue()
	}
	if byClass["2xx"] != 2 || byClass["4xx"] != 1 || len(byClass) != 5 {
		t.Errorf("responses by class %v, want 2 2xx and 1 4xx of five classes", byClass)
	}
}

func label(m *dto.Metric, name string) string {
	for _, l := range m.GetLabel() {
		if l.GetName() == name {
			return l.GetValue()
		}
	}
	return ""
}

func scrape(addr string) (map[string]*dto.MetricFamily, error) {
	res, err := http.Get("http://" + addr + "/metrics")
	if err != nil {
		return nil, err
	}
	defer res.Body.Close()
	p := expfmt.NewTextParser(model.LegacyValidation)
	return p.TextToMetricFamilies(res.Body)
}
