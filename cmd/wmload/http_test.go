package main

import (
	"bytes"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/workerman-go/workerman/internal/nettest"
)

// okServer is a net/http server answering "ok" that counts its requests.
func okServer(t *testing.T, h http.HandlerFunc) (*httptest.Server, *atomic.Int64) {
	t.Helper()
	var n atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n.Add(1)
		h(w, r)
	}))
	t.Cleanup(srv.Close)
	return srv, &n
}

func TestHTTPMode(t *testing.T) {
	ok := func(w http.ResponseWriter, _ *http.Request) { w.Write([]byte("ok")) }
	tests := []struct {
		name      string
		handler   http.HandlerFunc
		args      []string
		responses int64
		non2xx    bool
		reconnect bool
	}{
		{"keep-alive requests all come back", ok, []string{"-c", "4", "-n", "300"}, 300, false, false},
		{"pipelined batches are answered response by response", ok, []string{"-c", "3", "-p", "8", "-n", "400"}, 400, false, false},
		{"a count that is not a multiple of the depth is kept exactly", ok, []string{"-c", "2", "-p", "16", "-n", "250"}, 250, false, false},
		{"chunked answers are delimited", func(w http.ResponseWriter, _ *http.Request) {
			w.Write([]byte("o"))
			w.(http.Flusher).Flush()
			w.Write([]byte("k"))
		}, []string{"-c", "2", "-n", "200"}, 200, false, false},
		{"error statuses are counted apart", func(w http.ResponseWriter, _ *http.Request) {
			http.Error(w, "no", http.StatusServiceUnavailable)
		}, []string{"-c", "2", "-n", "200"}, 200, true, false},
		{"a server that closes after each answer is reconnected to", func(w http.ResponseWriter, _ *http.Request) {
			w.Header().Set("Connection", "close")
			w.Write([]byte("ok"))
		}, []string{"-c", "2", "-n", "100"}, 100, false, true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			srv, served := okServer(t, tc.handler)
			var rep loadReport
			runJSON(t, &rep, append(append([]string{"http", "-d", "60s"}, tc.args...), srv.URL+"/x")...)
			if int64(rep.Responses) != tc.responses || served.Load() != tc.responses {
				t.Fatalf("responses %d, server saw %d, want %d", rep.Responses, served.Load(), tc.responses)
			}
			if rep.Errors.total() != 0 {
				t.Fatalf("errors: %+v", rep.Errors)
			}
			if got := rep.Non2xx == rep.Responses; got != tc.non2xx {
				t.Fatalf("non-2xx %d of %d", rep.Non2xx, rep.Responses)
			}
			if got := rep.Reconnects > 0; got != tc.reconnect {
				t.Fatalf("reconnects %d", rep.Reconnects)
			}
			l := rep.Latency
			if l.Samples != rep.Responses || !(0 <= l.Min && l.Min <= l.P50 && l.P50 <= l.P99 && l.P99 <= l.Max && l.Max > 0) {
				t.Fatalf("latency %+v does not describe %d responses", l, rep.Responses)
			}
			if rep.RPS <= 0 || len(rep.Rounds) != 1 {
				t.Fatalf("req/s %v over %d rounds", rep.RPS, len(rep.Rounds))
			}
		})
	}
}

func TestHTTPModeSendsTheRequestAsked(t *testing.T) {
	var got atomic.Value
	srv, _ := okServer(t, func(w http.ResponseWriter, r *http.Request) {
		got.Store(r.Method + " " + r.URL.RequestURI() + " " + r.Header.Get("X-Test"))
	})
	var rep loadReport
	runJSON(t, &rep, "http", "-c", "1", "-n", "1", "-H", "X-Test: yes", srv.URL+"/p?q=1")
	if want := "GET /p?q=1 yes"; got.Load() != want {
		t.Fatalf("server saw %q, want %q", got.Load(), want)
	}
}

func TestHTTPModeRounds(t *testing.T) {
	srv, served := okServer(t, func(w http.ResponseWriter, _ *http.Request) { w.Write([]byte("ok")) })
	var rep loadReport
	runJSON(t, &rep, "http", "-c", "2", "-n", "50", "-rounds", "3", srv.URL+"/")
	if len(rep.Rounds) != 3 || rep.Responses != 150 || served.Load() != 150 {
		t.Fatalf("%d rounds, %d responses, server saw %d", len(rep.Rounds), rep.Responses, served.Load())
	}
	if !(rep.RPSMin <= rep.RPS && rep.RPS <= rep.RPSMax) {
		t.Fatalf("median %v outside [%v, %v]", rep.RPS, rep.RPSMin, rep.RPSMax)
	}
}

func TestHTTPModeEndsOnTimeWithASilentServer(t *testing.T) {
	ln := listen(t)
	nettest.GoServe(t, ln, func(c net.Conn) { io.Copy(io.Discard, c) })
	var rep loadReport
	runJSON(t, &rep, "http", "-c", "2", "-d", "200ms", "http://"+ln.Addr().String()+"/")
	if rep.Responses != 0 || rep.Errors.total() != 0 {
		t.Fatalf("a server that never answers gave %d responses and errors %+v", rep.Responses, rep.Errors)
	}
}

func TestHTTPModeReportsAClosedPort(t *testing.T) {
	ln := listen(t)
	addr := ln.Addr().String()
	ln.Close()
	var rep loadReport
	runJSON(t, &rep, "http", "-c", "1", "-d", "300ms", "http://"+addr+"/")
	if rep.Errors.Connect == 0 || !strings.Contains(rep.Errors.First, "refused") {
		t.Fatalf("errors %+v, want refused connects", rep.Errors)
	}
}

func TestHTTPModeText(t *testing.T) {
	srv, _ := okServer(t, func(w http.ResponseWriter, _ *http.Request) { w.Write([]byte("ok")) })
	var out bytes.Buffer
	if err := run([]string{"http", "-c", "2", "-p", "4", "-n", "40", srv.URL + "/"}, &out, &out); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"pipelined x4", "40 responses", "req/s", "p99", "errors      0"} {
		if !strings.Contains(out.String(), want) {
			t.Fatalf("report lacks %q:\n%s", want, out.String())
		}
	}
}
