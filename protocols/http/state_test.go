package http

import (
	"strings"
	"testing"
)

// TestIdleStreamKeepsNoState drives one connection by hand: a request that
// opens an event stream, the handler's return, events, then another request
// on the same connection.
func TestIdleStreamKeepsNoState(t *testing.T) {
	p := &Protocol{}
	c := newFakeConn()
	request := func(raw string) *Request {
		t.Helper()
		n, err := p.Input([]byte(raw), c)
		if err != nil || n != len(raw) {
			t.Fatalf("Input: %d, %v; want %d", n, err, len(raw))
		}
		v, err := p.Decode([]byte(raw), c)
		if err != nil {
			t.Fatalf("Decode: %v", err)
		}
		return v.(*Request)
	}
	encode := func(v any) string {
		t.Helper()
		b, err := p.Encode(nil, v, c)
		if err != nil {
			t.Fatalf("Encode(%T): %v", v, err)
		}
		return string(b)
	}

	p.OnConnect(c)
	request("GET /events HTTP/1.1\r\nHost: a\r\nAccept: text/event-stream\r\n\r\n")
	head := encode(NewResponse(200, Header{"Content-Type": "text/event-stream"}, "\r\n"))
	if !strings.Contains(head, "text/event-stream") {
		t.Fatalf("the stream's head: %q", head)
	}
	if c.state.(*connState).exchange == nil {
		t.Fatal("the exchange went before the handler returned")
	}
	c.loop.RunPosted() // the handler has returned
	if c.state != streaming {
		t.Fatalf("an idle stream's state is %+v, want the shared mark", c.state)
	}
	if got, want := encode(&ServerSentEvents{Data: "a"}), "data: a\n\n"; got != want {
		t.Fatalf("an event: %q, want %q", got, want)
	}
	if c.state != streaming || streaming.exchange != nil {
		t.Fatal("an event on an idle stream made it state of its own")
	}

	req := request("GET /again HTTP/1.1\r\nHost: a\r\n\r\n")
	if req.Path() != "/again" {
		t.Fatalf("the next request reads %q", req.Path())
	}
	if got := encode("ok"); !strings.HasSuffix(got, "\r\n\r\nok") {
		t.Fatalf("its response: %q", got)
	}
	if c.state == streaming || streaming.exchange != nil {
		t.Fatal("a request on a stream wrote to the shared mark")
	}
	p.OnClose(c)
}
