package http_test

import (
	"bufio"
	"fmt"
	"io"
	"net"
	nethttp "net/http"
	"strings"
	"testing"

	"github.com/workerman-go/workerman/connection"
	"github.com/workerman-go/workerman/internal/nettest"
	"github.com/workerman-go/workerman/protocols/http"
)

// These tests send byte-identical heads on one connection, the case where a
// connection reuses what it learnt from the last head, and check that
// nothing of the earlier request leaks into the next: the body and what is
// parsed from it, cookies, query parameters and session data.

// inspect answers with what the body's op field asks for, so that requests
// with one head can ask different things.
func inspect(c *connection.TcpConnection, r *http.Request) {
	switch op := r.Post("op"); op {
	case "body":
		c.Send("body=" + r.RawBody() + " v=" + r.Post("v"))
	case "cookie":
		c.Send("a=" + r.Cookie("a"))
	case "cookies":
		c.Send(fmt.Sprint(r.Cookies()))
	case "header":
		c.Send("Cookie: " + r.Header("Cookie"))
	case "headers":
		c.Send(fmt.Sprint(r.Headers()))
	case "query":
		c.Send("q=" + r.Get("q") + " uri=" + r.URI())
	case "get":
		c.Send(fmt.Sprint("n=", r.Session().Get("n")))
	case "set":
		r.Session().Set("n", r.Post("v"))
		c.Send("set")
	default:
		c.Send("unknown op " + op)
	}
}

// formBody is a urlencoded body padded to 32 bytes, so that requests asking
// different things share one head (Content-Length included).
func formBody(fields string) string {
	return fields + "&pad=" + strings.Repeat("x", 32-len(fields)-len("&pad="))
}

// memoClient sends requests with a fixed head and reads the answers.
type memoClient struct {
	t  *testing.T
	nc net.Conn
	br *bufio.Reader
}

func dialMemo(t *testing.T, addr string) *memoClient {
	nc := nettest.Dial(t, addr)
	return &memoClient{t: t, nc: nc, br: bufio.NewReader(nc)}
}

// post sends one POST per body with the given target and extra header lines,
// all in one write (pipelined), and returns the answers in order.
func (m *memoClient) post(target, extra string, bodies ...string) []string {
	m.t.Helper()
	var b strings.Builder
	for _, body := range bodies {
		fmt.Fprintf(&b, "POST %s HTTP/1.1\r\nHost: a\r\n%sContent-Type: application/x-www-form-urlencoded\r\nContent-Length: %d\r\n\r\n%s",
			target, extra, len(body), body)
	}
	if _, err := io.WriteString(m.nc, b.String()); err != nil {
		m.t.Fatal(err)
	}
	answers := make([]string, len(bodies))
	for i := range bodies {
		resp, err := nethttp.ReadResponse(m.br, nil)
		if err != nil {
			m.t.Fatalf("answer %d: %v", i, err)
		}
		got, err := io.ReadAll(resp.Body)
		resp.Body.Close()
		if err != nil {
			m.t.Fatalf("answer %d: %v", i, err)
		}
		answers[i] = string(got)
	}
	return answers
}

func expectAnswers(t *testing.T, got []string, want ...string) {
	t.Helper()
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Fatalf("answers\n%q\nwant\n%q", got, want)
	}
}

func TestRepeatedHeadsGetEachTheirOwnBody(t *testing.T) {
	nettest.Backends(t, func(t *testing.T) {
		m := dialMemo(t, serveHTTP(t, nil, inspect))
		one, two := formBody("op=body&v=first"), formBody("op=body&v=second")
		expectAnswers(t, m.post("/", "", one, two),
			"body="+one+" v=first", "body="+two+" v=second")
		// and one at a time, the second parsed after the first was answered
		expectAnswers(t, m.post("/", "", two), "body="+two+" v=second")
		expectAnswers(t, m.post("/", "", one), "body="+one+" v=first")
	})
}

func TestRepeatedHeadsShowTheirCookiesAsSent(t *testing.T) {
	// Reading a cookie makes fasthttp rewrite the Cookie field as "a=1; b=2":
	// the next request, with the same head, must still see it as sent.
	m := dialMemo(t, serveHTTP(t, nil, inspect))
	extra := "Cookie: a=1;b=2\r\n"
	tests := []struct {
		name  string
		first string
		then  string
		want  string
	}{
		{"the Cookie field is as sent after a cookie was read", "op=cookie", "op=header", "Cookie: a=1;b=2"},
		{"the Cookie field is as sent after every cookie was read", "op=cookies", "op=header", "Cookie: a=1;b=2"},
		{"the Cookie field is as sent after every field was listed", "op=headers", "op=header", "Cookie: a=1;b=2"},
		{"a cookie reads the same after the Cookie field was read", "op=header", "op=cookie", "a=1"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := m.post("/", extra, formBody(tc.first), formBody(tc.then))
			if got[1] != tc.want {
				t.Fatalf("after %s: %q, want %q", tc.first, got[1], tc.want)
			}
			got = m.post("/", extra, formBody(tc.then))
			if got[0] != tc.want {
				t.Fatalf("in a request of its own: %q, want %q", got[0], tc.want)
			}
		})
	}
}

func TestRepeatedHeadsReadTheQueryOfTheirTarget(t *testing.T) {
	m := dialMemo(t, serveHTTP(t, nil, inspect))
	q := formBody("op=query")
	expectAnswers(t, m.post("/?q=1", "", q, q), "q=1 uri=/?q=1", "q=1 uri=/?q=1")
	expectAnswers(t, m.post("/?q=2", "", q), "q=2 uri=/?q=2")
	expectAnswers(t, m.post("/?q=1", "", q), "q=1 uri=/?q=1")
}

func TestRepeatedHeadsSeeSessionChangesFromOtherConnections(t *testing.T) {
	cfg := http.NewSessionConfig()
	cfg.SavePath = t.TempDir()
	addr := serveHTTP(t, &http.Protocol{Session: cfg}, inspect)
	extra := "Cookie: PHPSID=0123456789abcdef0123456789abcdef\r\n"
	a, b := dialMemo(t, addr), dialMemo(t, addr)
	get := formBody("op=get")
	expectAnswers(t, a.post("/", extra, get), "n=<nil>")
	expectAnswers(t, b.post("/", extra, formBody("op=set&v=7")), "set")
	expectAnswers(t, a.post("/", extra, get), "n=7")
	expectAnswers(t, b.post("/", extra, formBody("op=set&v=8"), get), "set", "n=8")
	expectAnswers(t, a.post("/", extra, get, get), "n=8", "n=8")
}
