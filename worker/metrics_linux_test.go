package worker_test

import (
	"bufio"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/workerman-go/workerman/connection"
	"github.com/workerman-go/workerman/internal/nettest"
	"github.com/workerman-go/workerman/worker"
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
	d := deploy(t, 1)
	metrics := nettest.FreeAddr(t)
	d.env = append(d.env, "WM_METRICS="+metrics)
	d.mustRun("start", "-d")
	followsRequests(t, metrics, d.addr, d.status().Processes[0].PID)
}

// followsRequests checks that the metrics at metrics show process pid, the
// one process of worker web, answering, and then the connection and the
// three requests it makes to web.
func followsRequests(t *testing.T, metrics, web string, pid int) (after map[string]float64) {
	t.Helper()
	ls := `{worker="web",id="0",pid="` + strconv.Itoa(pid) + `"}`
	before := scrape(t, metrics)
	if busy, ok := before["workerman_process_busy"+ls]; !ok || busy != 0 || before[`workerman_worker_processes{worker="web"}`] != 1 {
		t.Fatalf("want one answering process %s:\n%v", ls, before)
	}
	c := dialKeepAlive(t, web)
	for range 3 {
		if _, err := c.ask(); err != nil {
			t.Fatal(err)
		}
	}
	after = scrape(t, metrics)
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
	for _, name := range []string{"timers", "event_loop_lag_seconds", "panics_total", "send_failures_total"} {
		if _, ok := after["workerman_process_"+name+ls]; !ok {
			t.Errorf("no workerman_process_%s%s:\n%v", name, ls, after)
		}
	}
	return after
}

// TestMetricsAddressTaken: a metrics address the program cannot bind fails
// the start and says why: a master's before any child runs, a single
// process's before it serves.
func TestMetricsAddressTaken(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs a program")
	}
	taken, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer taken.Close()
	for _, mode := range []string{"-d", "-s"} {
		d := deploy(t, 1)
		d.env = append(d.env, "WM_METRICS="+taken.Addr().String())
		out, err := d.run("start", mode)
		if err == nil || !strings.Contains(out, "worker: metrics: listen tcp "+taken.Addr().String()) {
			t.Fatalf("start %s with the metrics address taken: %v\n%s", mode, err, out)
		}
		if strings.Contains(out, "Start success.") {
			t.Errorf("start %s started anyway:\n%s", mode, out)
		}
		if pid := d.masterPid(); pid != 0 && alive(pid) {
			t.Errorf("master %d runs on", pid)
		}
	}
}

// TestMetricsSingleProcess: start -s serves the same families from its one
// process's own figures, labelled as a master labels a child.
func TestMetricsSingleProcess(t *testing.T) {
	d := deploy(t, 2)
	metrics := nettest.FreeAddr(t)
	cmd := exec.Command("./app", "start", "-s")
	cmd.Dir, cmd.Env = d.dir, append(d.env, "WM_METRICS="+metrics)
	app := startBackground(t, cmd)
	if !app.out.waitFor("serves metrics on http://"+metrics+"/metrics", 1, app.exited, 30*time.Second) {
		t.Fatalf("no metrics address in the output:\n%s", app.out)
	}
	if !app.out.waitFor("Start success.", 1, app.exited, 30*time.Second) {
		t.Fatalf("did not start:\n%s", app.out)
	}
	// The pid of start -s is the one process: one, whatever Count says.
	after := followsRequests(t, metrics, d.addr, cmd.Process.Pid)
	if st := after["workerman_start_time_seconds"]; st <= 0 || st > float64(time.Now().Unix()+1) {
		t.Errorf("start time %v", st)
	}
	cmd.Process.Signal(syscall.SIGINT)
	if err := app.wait(20 * time.Second); err != nil {
		t.Fatalf("stop: %v\n%s", err, app.out)
	}
}

// TestMetricsOfStart: worker.Start serves metrics when MetricsAddr is set,
// and a callback that holds the event loop shows the process as busy, with
// no other figures, until it returns.
func TestMetricsOfStart(t *testing.T) {
	addr := nettest.FreeAddr(t)
	worker.MetricsAddr = addr
	t.Cleanup(func() { worker.MetricsAddr = "" })

	entered, hold := make(chan struct{}), make(chan struct{})
	w := worker.New("text://127.0.0.1:0")
	w.Name = "echo"
	w.OnMessage = func(c *connection.TcpConnection, data any) {
		close(entered)
		<-hold
		c.Send(data)
	}
	g, err := worker.Start(w)
	if err != nil {
		t.Fatal(err)
	}
	defer g.Stop()
	ls := `{worker="echo",id="0",pid="` + strconv.Itoa(os.Getpid()) + `"}`
	if idle := scrape(t, addr); idle["workerman_process_busy"+ls] != 0 || idle[`workerman_worker_processes{worker="echo"}`] != 1 {
		t.Fatalf("want one answering process %s:\n%v", ls, idle)
	}

	c, err := net.Dial("tcp", w.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if _, err := io.WriteString(c, "hold\n"); err != nil {
		t.Fatal(err)
	}
	<-entered
	held := scrape(t, addr)
	close(hold)
	if held["workerman_process_busy"+ls] != 1 {
		t.Errorf("busy loop not shown as busy:\n%v", held)
	}
	if _, ok := held["workerman_process_connections"+ls]; ok {
		t.Errorf("a busy process carries figures:\n%v", held)
	}
	if line, err := bufio.NewReader(c).ReadString('\n'); err != nil || line != "hold\n" {
		t.Fatalf("echo after the hold: %q, %v", line, err)
	}
	if freed := scrape(t, addr); freed["workerman_process_busy"+ls] != 0 || freed["workerman_process_connections"+ls] != 1 {
		t.Errorf("want the process answering with one connection:\n%v", freed)
	}
}

// TestStartWithoutMetrics: with MetricsAddr unset, Start serves no metrics
// even when WM_METRICS names an address it could not bind.
func TestStartWithoutMetrics(t *testing.T) {
	taken, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer taken.Close()
	t.Setenv("WM_METRICS", taken.Addr().String())
	g, err := worker.Start(worker.New("text://127.0.0.1:0"))
	if err != nil {
		t.Fatalf("Start took WM_METRICS: %v", err)
	}
	g.Stop()
}
