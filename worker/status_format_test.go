package worker

import (
	"strings"
	"testing"
	"time"
)

// The tables must line up with Workerman's to the column; these rows are
// Workerman's own output with our figures put in.

func TestStatusLayoutMatchesWorkerman(t *testing.T) {
	start := time.Date(2026, 11, 24, 2, 42, 9, 0, time.Local)
	r := &statusReport{
		At: start.Add(26*time.Hour + 5*time.Minute), Daemon: true, OS: "Linux/6.1", Start: start, LoadAverage: "0.87, 1.68, 1.44",
		Workers: []workerSummary{{Name: "none", Listen: "http://127.0.0.1:8080", EventLoop: "epoll", Count: 2}},
		Processes: []processStatus{
			{PID: 23349, Worker: "none", Listen: "http://127.0.0.1:8080", Busy: true},
			{PID: 23348, Worker: "none", Listen: "http://127.0.0.1:8080", processFigures: processFigures{Memory: 1268777, Connections: 3, Timers: 2, TotalRequests: 8}},
		},
	}
	want := []string{
		"Start worker in DAEMON mode.",
		"---------------------------------------------------GLOBAL STATUS---------------------------------------------------------",
		"",
		"start time:2026-11-24 02:42:09   run 1 days 2 hours   load average: 0.87, 1.68, 1.44",
		"1 workers    2 processes",
		"name         event-loop     exit_status     exit_count",
		"none         epoll          0               0               ",
		"---------------------------------------------------PROCESS STATUS--------------------------------------------------------",
		"pid\tmemory  listening             name     connections send_fail timers  total_request qps    status",
		"23348\t1.21M   http://127.0.0.1:8080 none     3           0         2       8             0      [idle]",
		"23349\tN/A     http://127.0.0.1:8080 none     N/A         N/A       N/A     N/A           N/A    [busy] ",
		"---------------------------------------------------PROCESS STATUS--------------------------------------------------------",
		"Summary\t1.21M   -                     -        3           0         2       8             0      [Summary] ",
	}
	got := strings.Split(strings.TrimSuffix(r.format(), "\n"), "\n")
	if len(got) != len(want) {
		t.Fatalf("got %d lines, want %d:\n%s", len(got), len(want), r.format())
	}
	for i := range want {
		if i == 2 {
			if !strings.HasPrefix(got[i], "Workerman-Go/"+Version) || !strings.HasSuffix(got[i], "Linux/6.1") {
				t.Errorf("version line: %q", got[i])
			}
			continue
		}
		if got[i] != want[i] {
			t.Errorf("line %d:\ngot  %q\nwant %q", i, got[i], want[i])
		}
	}
}

func TestConnectionsLayoutMatchesWorkerman(t *testing.T) {
	got := formatConnections([]connectionStatus{{
		PID: 23294, Worker: "none", ID: 7, Transport: "tcp", Protocol: "Http", IPv4: true,
		BytesRead: 36, BytesWritten: 103, Status: "ESTABLISHED", Local: "127.0.0.1:8080", Remote: "127.0.0.1:57326",
	}})
	want := connectionsRule + "\n" + connectionsHeader + "\n" +
		"23294    none            7         tcp     Http             1      0     0B           0B           36B          103B          ESTABLISHED    127.0.0.1:8080         127.0.0.1:57326       \n"
	if got != want {
		t.Errorf("got\n%q\nwant\n%q", got, want)
	}
}

func TestBannerColumns(t *testing.T) {
	w := &Worker{Name: "", Count: 1, Transport: "tcp", User: "root", socketName: "http://127.0.0.1:8080"}
	lines := strings.Split(banner([]*Worker{w}), "\n")
	for i, want := range map[int]string{
		0: "--------------------------------------------- WORKERMAN ----------------------------------------------",
		2: "---------------------------------------------- WORKERS -----------------------------------------------",
		3: "event-loop  proto       user        worker      listen                   count       state            ",
		5: "------------------------------------------------------------------------------------------------------",
	} {
		if lines[i] != want {
			t.Errorf("line %d:\ngot  %q\nwant %q", i, lines[i], want)
		}
	}
	if row := lines[4]; !strings.HasSuffix(row, "tcp         root        none        http://127.0.0.1:8080    1            [OK]            ") {
		t.Errorf("row: %q", row)
	}
}

func TestByteSize(t *testing.T) {
	for _, tc := range []struct {
		n    int64
		want string
	}{{0, "0B"}, {1024, "1024B"}, {1536, "1.5KB"}, {3 << 20, "3MB"}, {5<<30 + 1, "5GB"}} {
		if got := byteSize(tc.n); got != tc.want {
			t.Errorf("byteSize(%d) = %q, want %q", tc.n, got, tc.want)
		}
	}
}

func TestLogTrimKeepsTheNewerHalf(t *testing.T) {
	for _, tc := range []struct{ name, in, want string }{
		{"cuts after the first line break past the middle", "aaaa\nbbbb\ncccc\ndddd\n", "dddd\n"},
		{"empties a file with no later line break", "aaaaaaaaaa", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := string(trimmed([]byte(tc.in))); got != tc.want {
				t.Errorf("got %q, want %q", got, tc.want)
			}
		})
	}
}

func TestQPSIsTheRateBetweenReports(t *testing.T) {
	t0 := time.Now()
	prev := &statusReport{At: t0, Processes: []processStatus{{PID: 1, processFigures: processFigures{TotalRequests: 100}}}}
	r := &statusReport{At: t0.Add(2 * time.Second), Processes: []processStatus{{PID: 1, processFigures: processFigures{TotalRequests: 300}}, {PID: 2}}}
	r.computeQPS(prev)
	if r.Processes[0].QPS != 100 || r.Processes[1].QPS != 0 {
		t.Errorf("qps %d and %d, want 100 and 0", r.Processes[0].QPS, r.Processes[1].QPS)
	}
}
