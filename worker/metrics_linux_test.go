package worker_test

import (
	"bufio"
	"io"
	"net"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/workerman-go/workerman/internal/nettest"
)

// scrape fetches the master's metrics and returns each sample's value by
// its name and labels as written.
func scrape(t *testing.T, addr string) map[string]float64 {
	t.Helper()
	client := http.Client{Timeout: 10 * time.Second}
	res, err := client.Get("http://" + addr + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	if ct := res.Header.Get("Content-Type"); res.StatusCode != 200 || !strings.HasPrefix(ct, "text/plain; version=0.0.4") {
		b, _ := io.ReadAll(res.Body)
		t.Fatalf("scrape: %s %q\n%s", res.Status, ct, b)
	}
	out := map[string]float64{}
	sc := bufio.NewScanner(res.Body)
	for sc.Scan() {
		line := sc.Text()
		if strings.HasPrefix(line, "#") {
			continue
		}
		i := strings.LastIndexByte(line, ' ')
		v, err := strconv.ParseFloat(line[i+1:], 64)
		if i < 0 || err != nil {
			t.Fatalf("bad sample line %q", line)
		}
		out[line[:i]] = v
	}
	return out
}

// TestMetricsFollowTheChildren: the master's endpoint shows the children's
// figures as they change: a client's open connection, its requests and
// their status class.
func TestMetricsFollowTheChildren(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs a program")
	}
	d := deploy(t, 1)
	metrics := nettest.FreeAddr(t)
	d.env = append(d.env, "WM_METRICS="+metrics)
	d.mustRun("start", "-d")
	pid := d.status().Processes[0].PID
	ls := `{worker="web",id="0",pid="` + strconv.Itoa(pid) + `"}`

	before := scrape(t, metrics)
	if before["workerman_process_busy"+ls] != 0 || before["workerman_worker_processes{worker=\"web\"}"] != 1 {
		t.Fatalf("want one answering process %s:\n%v", ls, before)
	}
	c := dialKeepAlive(t, d.addr)
	for range 3 {
		if _, err := c.ask(); err != nil {
			t.Fatal(err)
		}
	}
	after := scrape(t, metrics)
	conns := "workerman_process_connections" + ls
	if after[conns] != before[conns]+1 {
		t.Errorf("connections: %v before the client, %v with it open", before[conns], after[conns])
	}
	ok := `workerman_process_http_responses_total{worker="web",id="0",pid="` + strconv.Itoa(pid) + `",class="2xx"}`
	if after[ok]-before[ok] != 3 {
		t.Errorf("2xx responses: %v before, %v after three requests", before[ok], after[ok])
	}
	reqs := "workerman_process_requests_total" + ls
	if after[reqs]-before[reqs] != 3 {
		t.Errorf("requests: %v before, %v after three requests", before[reqs], after[reqs])
	}
	if after["workerman_process_memory_bytes"+ls] <= 0 {
		t.Errorf("no memory figure: %v", after)
	}
	if _, ok := after["workerman_process_event_loop_lag_seconds"+ls]; !ok {
		t.Errorf("no event-loop lag: %v", after)
	}
}

// TestMetricsAddressTaken: a metrics address the master cannot bind fails
// the start and says why, before any child runs.
func TestMetricsAddressTaken(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs a program")
	}
	taken, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer taken.Close()
	d := deploy(t, 1)
	d.env = append(d.env, "WM_METRICS="+taken.Addr().String())
	out, err := d.run("start", "-d")
	if err == nil || !strings.Contains(out, "worker: metrics: listen tcp "+taken.Addr().String()) {
		t.Fatalf("start with the metrics address taken: %v\n%s", err, out)
	}
	if pid := d.masterPid(); pid != 0 && alive(pid) {
		t.Errorf("master %d runs on", pid)
	}
}
