package main

import (
	"bytes"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
)

// tlsServer is a net/http TLS server answering "ok"; it counts the
// connections it accepted and the requests that came over a resumed session.
func tlsServer(t *testing.T) (srv *httptest.Server, conns, resumed *atomic.Int64) {
	t.Helper()
	conns, resumed = new(atomic.Int64), new(atomic.Int64)
	srv = httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.TLS.DidResume {
			resumed.Add(1)
		}
		w.Write([]byte("ok"))
	}))
	srv.Config.ConnState = func(_ net.Conn, s http.ConnState) {
		if s == http.StateNew {
			conns.Add(1)
		}
	}
	srv.StartTLS()
	t.Cleanup(srv.Close)
	return srv, conns, resumed
}

func TestHandshakeMode(t *testing.T) {
	for _, version := range []string{"1.2", "1.3"} {
		t.Run("TLS "+version+": every connection is a full handshake and one response", func(t *testing.T) {
			srv, conns, resumed := tlsServer(t)
			var rep handshakeReport
			runJSON(t, &rep, "handshake", "-c", "3", "-n", "40", "-tls", version, "-d", "60s", srv.URL+"/")
			if rep.Completed != 40 || rep.Handshakes != 40 || conns.Load() != 40 {
				t.Fatalf("completed %d, handshakes %d, server accepted %d, want 40 each", rep.Completed, rep.Handshakes, conns.Load())
			}
			if resumed.Load() != 0 {
				t.Fatalf("%d sessions were resumed", resumed.Load())
			}
			if rep.Errors.total() != 0 || rep.Non2xx != 0 {
				t.Fatalf("errors %+v, non-2xx %d", rep.Errors, rep.Non2xx)
			}
			if !strings.HasPrefix(rep.Negotiated, "TLS "+version+", ") || !strings.HasSuffix(rep.Negotiated, " certificate") {
				t.Fatalf("negotiated %q", rep.Negotiated)
			}
			h, c := rep.Handshake, rep.Total
			if h.Samples != 40 || c.Samples != 40 || !(0 < h.Min && h.P50 <= h.P99 && h.P99 <= h.Max) || c.Min < h.Min {
				t.Fatalf("handshake %+v and connection %+v latencies do not describe 40 connections", h, c)
			}
			if rep.PerSecond <= 0 {
				t.Fatalf("handshakes/s %v", rep.PerSecond)
			}
		})
	}
}

func TestHandshakeModeCountsFailedHandshakes(t *testing.T) {
	srv, _ := okServer(t, func(w http.ResponseWriter, _ *http.Request) { w.Write([]byte("ok")) })
	var rep handshakeReport
	runJSON(t, &rep, "handshake", "-c", "1", "-n", "3", "-d", "60s", "https://"+srv.Listener.Addr().String()+"/")
	if rep.Errors.Handshake != 3 || rep.Completed != 0 || rep.Errors.First == "" {
		t.Fatalf("a plain-HTTP server: errors %+v, completed %d, want 3 failed handshakes", rep.Errors, rep.Completed)
	}
}

func TestHandshakeModeText(t *testing.T) {
	srv, _, _ := tlsServer(t)
	var out bytes.Buffer
	if err := run([]string{"handshake", "-c", "2", "-n", "10", srv.URL + "/"}, &out, &out); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"2 clients, TLS 1.3 (TLS 1.3, ", "10 connections", "handshakes/s", "handshake   p50", "errors      0"} {
		if !strings.Contains(out.String(), want) {
			t.Fatalf("report lacks %q:\n%s", want, out.String())
		}
	}
}

func TestHandshakeModeRefuses(t *testing.T) {
	tests := []struct {
		name string
		args []string
		want string
	}{
		{"a plain http target", []string{"handshake", "http://127.0.0.1:1/"}, "not an https URL"},
		{"an https target in the http mode", []string{"http", "https://127.0.0.1:1/"}, "only the handshake mode"},
		{"a version other than 1.2 and 1.3", []string{"handshake", "-tls", "1.1", "https://127.0.0.1:1/"}, "-tls"},
		{"no clients", []string{"handshake", "-c", "0", "https://127.0.0.1:1/"}, "-c 0"},
		{"a non-loopback target", []string{"handshake", "https://192.0.2.1/"}, "not loopback"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var out bytes.Buffer
			err := run(tc.args, &out, &out)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("error %v, want one saying %q", err, tc.want)
			}
		})
	}
}
