package main

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestTableMode(t *testing.T) {
	results := strings.Join([]string{
		`{"server":"ref","cpu_s":1,"report":{"mode":"http","depth":1,"rps":1000,"rps_min":900,"rps_max":1100,"responses":10000,"latency_ms":{"p50":0.5,"p99":2,"max":9}}}`,
		`{"server":"us","cpu_s":1,"report":{"mode":"http","depth":1,"rps":1500,"rps_min":1400,"rps_max":1600,"responses":20000,"errors":{"read":2,"first":"reset"}}}`,
		`{"server":"ref","report":{"mode":"http","depth":16,"rps":8000,"rps_min":8000,"rps_max":8000}}`,
		`{"server":"us","report":{"mode":"http","depth":16,"rps":12000,"rps_min":12000,"rps_max":12000}}`,
		`{"server":"us","report":{"mode":"wrk","depth":16,"rps":9000,"rps_min":9000,"rps_max":9000}}`,
		`{"server":"ref","report":{"mode":"wrk","depth":16,"rps":6000,"rps_min":6000,"rps_max":6000}}`,
		`{"server":"us","cpu_s":0.5,"report":{"mode":"sse","clients":1000,"connected":1000,"connect_all_s":0.2,"first_event_all_s":2.2,"events_per_s":500,"latency_ms":{"p50":0.25,"p99":1.5},"server":{"processes":2,"rss_before_kb":10240,"rss_after_kb":12288,"rss_per_conn_kb":2.05}}}`,
		`{"server":"us","cpu_s":2,"report":{"mode":"sse","clients":100,"connected":100,"broadcasts":7,"broadcast_first_ms":{"p50":0.5},"broadcast_last_ms":{"p50":3,"p99":4.5},"server":{"processes":1,"rss_connected_kb":1000,"rss_peak_kb":1100,"peak_above_connected_per_conn_kb":1},"client_cpu_s":0.75}}`,
	}, "\n")
	out := tableOf(t, results)
	for _, want := range []string{
		"| ref | keep-alive | 1,000 (900–1,100) | 1.00 | 0.50 / 2.00 / 9.0 | 100.0 | 0 |",
		"| us | keep-alive | 1,500 (1,400–1,600) | 1.50 | 0.00 / 0.00 / 0.0 | 50.0 | 2 (reset) |",
		"| us | pipelined ×16 | 12,000 (12,000–12,000) | 1.50 |",
		"| us | pipelined ×16, wrk | 9,000 (9,000–9,000) | 1.50 |",
		"| us | 1000 | 1000 | 0.200 | 2.200 | 500 | 0.25 / 1.50 | 10.0 → 12.0 (2 processes) | 2.05 | 0.50 | 0 |",
		"| us | 100 | 7 | 0.50 | 3.00 / 4.50 | 1.00 | 2.00 | 0.75 | 0 |",
	} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("table lacks %q:\n%s", want, out.String())
		}
	}
	// Keep-alive rows come before pipelined ones, and wmload's before wrk's,
	// whatever the input order.
	if strings.Index(out.String(), "| us | keep-alive") > strings.Index(out.String(), "| ref | pipelined") ||
		strings.Index(out.String(), "| ref | pipelined ×16, wrk") < strings.Index(out.String(), "| us | pipelined ×16 |") {
		t.Errorf("rows out of order:\n%s", out.String())
	}
}

// tableOf is what the table mode prints for these results, against "ref".
func tableOf(t *testing.T, results string) *bytes.Buffer {
	t.Helper()
	file := filepath.Join(t.TempDir(), "results.jsonl")
	if err := os.WriteFile(file, []byte(results), 0o600); err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	if err := run([]string{"table", "-ref", "ref", file}, &out, &out); err != nil {
		t.Fatal(err)
	}
	return &out
}

func TestTableModeRefusesBadLines(t *testing.T) {
	file := filepath.Join(t.TempDir(), "results.jsonl")
	if err := os.WriteFile(file, []byte("{\"server\":\"x\",\"report\":{}}\nnot json\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	if err := run([]string{"table", file}, &out, &out); err == nil || !strings.Contains(err.Error(), "line 2") {
		t.Fatalf("error = %v, want one naming line 2", err)
	}
}

// Rounds of one server and mode, written apart (interleaved with other
// servers), make one row.
func TestTableModeMergesRounds(t *testing.T) {
	results := strings.Join([]string{
		`{"server":"ref","cpu_s":1,"report":{"mode":"http","depth":16,"rps":1000,"responses":3000,"rounds":[{"responses":3000,"rps":1000}],"latency_ms":{"p50":1,"p99":5,"max":9}}}`,
		`{"server":"us","cpu_s":1,"report":{"mode":"http","depth":16,"rps":2000,"responses":6000,"rounds":[{"responses":6000,"rps":2000}],"latency_ms":{"p50":1,"p99":2,"max":3}}}`,
		`{"server":"ref","cpu_s":1,"report":{"mode":"http","depth":16,"rps":3000,"responses":9000,"rounds":[{"responses":9000,"rps":3000}],"latency_ms":{"p50":3,"p99":4,"max":4},"errors":{"read":1}}}`,
		`{"server":"ref","cpu_s":1,"report":{"mode":"http","depth":16,"rps":2000,"responses":6000,"rounds":[{"responses":6000,"rps":2000}],"latency_ms":{"p50":2,"p99":6,"max":7}}}`,
	}, "\n")
	out := tableOf(t, results)
	want := "| ref | pipelined ×16 | 2,000 (1,000–3,000) | 1.00 | 2.00 / 5.00 / 9.0 | 166.7 | 1 |"
	if !strings.Contains(out.String(), want) || strings.Count(out.String(), "| ref |") != 1 {
		t.Errorf("table lacks %q once:\n%s", want, out.String())
	}
}

// Handshake rounds merge the same way, into a table of their own where
// each kind of connection (what was negotiated, how many clients) has its
// own reference.
func TestTableModeHandshakes(t *testing.T) {
	shake := func(server string, cpu float64, negotiated string, rate float64, handshakes int, p50 float64) string {
		return fmt.Sprintf(`{"server":%q,"cpu_s":%g,"report":{"mode":"handshake","clients":8,"negotiated":%q,"handshakes":%d,"completed":%d,"handshakes_per_s":%g,"handshakes_per_s_min":%g,"handshakes_per_s_max":%g,"handshake_ms":{"p50":%g,"p99":9},"client_cpu_s":0.5}}`,
			server, cpu, negotiated, handshakes, handshakes, rate, rate, rate, p50)
	}
	const ec, rsa = "TLS 1.3, X25519, ECDSA P-256 certificate", "TLS 1.3, X25519, RSA 2048 certificate"
	results := strings.Join([]string{
		shake("ref", 1, ec, 1000, 1000, 1),
		shake("us", 1, ec, 800, 1000, 2),
		shake("ref", 1, rsa, 100, 250, 5),
		shake("us", 1, rsa, 150, 250, 4),
		shake("ref", 1, ec, 3000, 3000, 3),
		shake("ref", 1, ec, 2000, 2000, 2),
	}, "\n")
	out := tableOf(t, results).String()
	for _, want := range []string{
		"| ref | " + ec + "; 8 clients | 2,000 (1,000–3,000) | 1.00 | 2.00 / 9.00 | 500 | 250 | 0 |",
		"| us | " + ec + "; 8 clients | 800 (800–800) | 0.40 | 2.00 / 9.00 | 1000 | 500 | 0 |",
		"| us | " + rsa + "; 8 clients | 150 (150–150) | 1.50 | 4.00 / 9.00 | 4000 | 2000 | 0 |",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("table lacks %q:\n%s", want, out)
		}
	}
	if strings.Index(out, "| us | "+ec) > strings.Index(out, "| ref | "+rsa) || strings.Contains(out, "req/s") {
		t.Errorf("rows not grouped by kind, or an HTTP table with no HTTP reports:\n%s", out)
	}
}
