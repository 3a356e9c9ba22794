package http

import "testing"

func encodeString(r *Response, o encodeOpts) string {
	b, err := r.encode(nil, newFakeConn(), o)
	if err != nil {
		panic(err)
	}
	return string(b)
}

var keepAlive = encodeOpts{keepAlive: true}

func TestAppendText(t *testing.T) {
	tests := []struct {
		name string
		body string
		o    encodeOpts
		want string
	}{
		{"ok on a keep-alive request is Workerman's 103 bytes", "ok", keepAlive,
			"HTTP/1.1 200 OK\r\nConnection: keep-alive\r\nContent-Type: text/html;charset=utf-8\r\nContent-Length: 2\r\n\r\nok"},
		{"a request that ends the connection gets Connection: close", "ok", encodeOpts{},
			"HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Type: text/html;charset=utf-8\r\nContent-Length: 2\r\n\r\nok"},
		{"HEAD gets the length but no body", "hello", encodeOpts{head: true, keepAlive: true},
			"HTTP/1.1 200 OK\r\nConnection: keep-alive\r\nContent-Type: text/html;charset=utf-8\r\nContent-Length: 5\r\n\r\n"},
		{"extra lines come right after the status line", "", encodeOpts{keepAlive: true, extra: []string{"Set-Cookie: PHPSID=abc; Path=/"}},
			"HTTP/1.1 200 OK\r\nSet-Cookie: PHPSID=abc; Path=/\r\nConnection: keep-alive\r\nContent-Type: text/html;charset=utf-8\r\nContent-Length: 0\r\n\r\n"},
		{"an extra line holding CR or LF is left out", "x", encodeOpts{keepAlive: true, extra: []string{"A: b\r\nEvil: 1", ""}},
			"HTTP/1.1 200 OK\r\nConnection: keep-alive\r\nContent-Type: text/html;charset=utf-8\r\nContent-Length: 1\r\n\r\nx"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := string(appendText(nil, tt.body, tt.o)); got != tt.want {
				t.Errorf("string body:\n got %q\nwant %q", got, tt.want)
			}
			if got := string(appendText(nil, []byte(tt.body), tt.o)); got != tt.want {
				t.Errorf("[]byte body:\n got %q\nwant %q", got, tt.want)
			}
		})
	}
}

func TestAppendTextAppends(t *testing.T) {
	got := string(appendText([]byte("before|"), "ok", keepAlive))
	if want := "before|HTTP/1.1 200 OK\r\n"; got[:len(want)] != want {
		t.Fatalf("appendText overwrote dst: %q", got)
	}
}

func TestResponseEncode(t *testing.T) {
	tests := []struct {
		name string
		r    *Response
		o    encodeOpts
		want string
	}{
		{"the seed's event-stream head is Workerman's 76 bytes",
			NewResponse(200, Header{"Content-Type": "text/event-stream"}, "\r\n"), keepAlive,
			"HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nConnection: keep-alive\r\n\r\n"},
		{"an event stream with parameters is still headers only",
			NewResponse(200, Header{"Content-Type": "Text/Event-Stream; charset=utf-8"}, "ignored"), keepAlive,
			"HTTP/1.1 200 OK\r\nContent-Type: Text/Event-Stream; charset=utf-8\r\nConnection: keep-alive\r\n\r\n"},
		{"a response without headers gets Connection, Content-Type and Content-Length",
			NewResponse(0, nil, "Hello Chance"), keepAlive,
			"HTTP/1.1 200 OK\r\nConnection: keep-alive\r\nContent-Type: text/html;charset=utf-8\r\nContent-Length: 12\r\n\r\nHello Chance"},
		{"map headers are written sorted by name, before the defaults",
			NewResponse(404, Header{"X-B": "2", "X-A": "1"}, "404 not found"), keepAlive,
			"HTTP/1.1 404 Not Found\r\nX-A: 1\r\nX-B: 2\r\nConnection: keep-alive\r\nContent-Type: text/html;charset=utf-8\r\nContent-Length: 13\r\n\r\n404 not found"},
		{"headers the application set are not repeated",
			NewResponse(200, nil, "{}").WithHeader("content-type", "application/json").WithHeader("Connection", "close"), keepAlive,
			"HTTP/1.1 200 OK\r\ncontent-type: application/json\r\nConnection: close\r\nContent-Length: 2\r\n\r\n{}"},
		{"the application's Content-Length gives way to the body's real length",
			NewResponse(200, Header{"Content-Length": "999"}, "abc"), keepAlive,
			"HTTP/1.1 200 OK\r\nConnection: keep-alive\r\nContent-Type: text/html;charset=utf-8\r\nContent-Length: 3\r\n\r\nabc"},
		{"extra lines follow the application's headers",
			NewResponse(200, Header{"X-A": "1"}, "b"), encodeOpts{keepAlive: true, extra: []string{"Set-Cookie: s=1"}},
			"HTTP/1.1 200 OK\r\nX-A: 1\r\nSet-Cookie: s=1\r\nConnection: keep-alive\r\nContent-Type: text/html;charset=utf-8\r\nContent-Length: 1\r\n\r\nb"},
		{"a custom reason and version are written as given",
			NewResponse(200, nil, "").WithStatus(202, "some reason").WithProtocolVersion("1.0"), encodeOpts{},
			"HTTP/1.0 202 some reason\r\nConnection: close\r\nContent-Type: text/html;charset=utf-8\r\nContent-Length: 0\r\n\r\n"},
		{"a code without a standard phrase has an empty reason",
			NewResponse(599, nil, ""), keepAlive,
			"HTTP/1.1 599 \r\nConnection: keep-alive\r\nContent-Type: text/html;charset=utf-8\r\nContent-Length: 0\r\n\r\n"},
		{"HEAD gets the head with the body's length",
			NewResponse(200, nil, "hello"), encodeOpts{head: true, keepAlive: true},
			"HTTP/1.1 200 OK\r\nConnection: keep-alive\r\nContent-Type: text/html;charset=utf-8\r\nContent-Length: 5\r\n\r\n"},
		{"204 has neither Content-Length nor body",
			NewResponse(204, nil, "dropped"), keepAlive,
			"HTTP/1.1 204 No Content\r\nConnection: keep-alive\r\nContent-Type: text/html;charset=utf-8\r\n\r\n"},
		{"304 has neither Content-Length nor body",
			NewResponse(304, Header{"ETag": `"x"`}, ""), keepAlive,
			"HTTP/1.1 304 Not Modified\r\nETag: \"x\"\r\nConnection: keep-alive\r\nContent-Type: text/html;charset=utf-8\r\n\r\n"},
		{"a chunked response carries its body as the first chunk",
			NewResponse(200, Header{"Transfer-Encoding": "chunked"}, "hello"), keepAlive,
			"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nConnection: keep-alive\r\nContent-Type: text/html;charset=utf-8\r\n\r\n5\r\nhello\r\n"},
		{"a chunked response with no body is its head alone",
			NewResponse(200, Header{"Transfer-Encoding": "chunked", "Content-Length": "5"}, ""), keepAlive,
			"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nConnection: keep-alive\r\nContent-Type: text/html;charset=utf-8\r\n\r\n"},
		{"a chunked response to HEAD sends no chunk",
			NewResponse(200, Header{"Transfer-Encoding": "chunked"}, "hello"), encodeOpts{head: true, keepAlive: true},
			"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nConnection: keep-alive\r\nContent-Type: text/html;charset=utf-8\r\n\r\n"},
		{"headers that would split the response are left out",
			NewResponse(200, nil, "").
				WithHeader("Bad:Name", "v").WithHeader("Bad Name", "v").WithHeader("Bad\r\nName", "v").WithHeader("", "v").
				WithHeader("X-Split", "a\r\nSet-Cookie: evil=1").WithHeader("X-Nul", "a\x00b").WithHeader("X-Good", "fine"),
			keepAlive,
			"HTTP/1.1 200 OK\r\nX-Good: fine\r\nConnection: keep-alive\r\nContent-Type: text/html;charset=utf-8\r\nContent-Length: 0\r\n\r\n"},
		{"CR and LF are stripped from the reason and the version",
			NewResponse(200, nil, "").WithStatus(200, "O\r\nK").WithProtocolVersion("1.1\r\n"), keepAlive,
			"HTTP/1.1 200 OK\r\nConnection: keep-alive\r\nContent-Type: text/html;charset=utf-8\r\nContent-Length: 0\r\n\r\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := encodeString(tt.r, tt.o); got != tt.want {
				t.Errorf("\n got %q\nwant %q", got, tt.want)
			}
			if tt.r.streaming() {
				t.Error("a response without a file reports streaming")
			}
		})
	}
}

func TestResponseHeaders(t *testing.T) {
	r := NewResponse(200, Header{"B": "1", "A": "1"}, "")
	r.WithHeader("a", "2")                    // replaces A in place
	r.WithHeader("C", "3")                    // appended
	r.WithHeaders(Header{"B": "4", "D": "5"}) // B gets a second line after its first
	if got, want := names(r), "A=2 B=1 B=4 C=3 D=5"; got != want {
		t.Fatalf("after With*: %s, want %s", got, want)
	}
	if r.Header("b") != "1" || r.Header("Nope") != "" {
		t.Fatalf("Header: b=%q Nope=%q", r.Header("b"), r.Header("Nope"))
	}
	r.WithHeader("B", "6") // replaces the first B and drops the second
	if got, want := names(r), "A=2 B=6 C=3 D=5"; got != want {
		t.Fatalf("WithHeader over a repeated header: %s, want %s", got, want)
	}
	r.WithoutHeader("c").WithoutHeader("missing")
	if got, want := names(r), "A=2 B=6 D=5"; got != want {
		t.Fatalf("WithoutHeader: %s, want %s", got, want)
	}
}

func names(r *Response) string {
	s := ""
	for i, f := range r.headers {
		if i > 0 {
			s += " "
		}
		s += f.name + "=" + f.value
	}
	return s
}

func TestResponseAccessors(t *testing.T) {
	r := NewResponse(0, nil, "body")
	if r.StatusCode() != 200 || r.ReasonPhrase() != "OK" || r.ProtocolVersion() != "1.1" || r.Body() != "body" {
		t.Fatalf("defaults: %d %q %q %q", r.StatusCode(), r.ReasonPhrase(), r.ProtocolVersion(), r.Body())
	}
	r.WithStatus(418)
	if r.ReasonPhrase() != "I'm a teapot" {
		t.Fatalf("418 reason %q", r.ReasonPhrase())
	}
	r.WithStatus(202, "some reason")
	if r.StatusCode() != 202 || r.ReasonPhrase() != "some reason" {
		t.Fatalf("custom reason: %d %q", r.StatusCode(), r.ReasonPhrase())
	}
	r.WithStatus(201)
	if r.ReasonPhrase() != "Created" {
		t.Fatalf("a later WithStatus without reason keeps the old one: %q", r.ReasonPhrase())
	}
}

func TestResponseCloses(t *testing.T) {
	tests := []struct {
		name string
		r    *Response
		want bool
	}{
		{"no Connection header", NewResponse(200, nil, ""), false},
		{"Connection: close", NewResponse(200, Header{"Connection": "close"}, ""), true},
		{"close among other tokens, any case", NewResponse(200, Header{"connection": "Upgrade, CLOSE"}, ""), true},
		{"keep-alive", NewResponse(200, Header{"Connection": "keep-alive"}, ""), false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.r.closes(); got != tt.want {
				t.Errorf("closes() = %v", got)
			}
		})
	}
}

func TestResponseIsEventStream(t *testing.T) {
	if !NewResponse(200, Header{"Content-Type": "text/event-stream"}, "").isEventStream() {
		t.Error("text/event-stream is not an event stream")
	}
	if NewResponse(200, Header{"Content-Type": "text/event-streams"}, "").isEventStream() {
		t.Error("text/event-streams is an event stream")
	}
	if NewResponse(200, nil, "").isEventStream() {
		t.Error("a plain response is an event stream")
	}
}

func TestResponseCookie(t *testing.T) {
	tests := []struct {
		name string
		set  func(r *Response)
		want string
	}{
		{"Workerman's example: domain and HttpOnly", func(r *Response) {
			r.Cookie("foo", "bar", CookieOptions{Domain: "xia.moe", HTTPOnly: true})
		}, "foo=bar; Domain=xia.moe; HttpOnly"},
		{"every attribute in Workerman's order", func(r *Response) {
			r.Cookie("sid", "1", CookieOptions{MaxAge: 3600, Path: "/app", Domain: "example.com", Secure: true, HTTPOnly: true, SameSite: "Lax"})
		}, "sid=1; Domain=example.com; Max-Age=3600; Path=/app; Secure; HttpOnly; SameSite=Lax"},
		{"the value is percent-encoded like rawurlencode", func(r *Response) {
			r.Cookie("v", "a b;c=d,\"ü\"~._-")
		}, "v=a%20b%3Bc%3Dd%2C%22%C3%BC%22~._-"},
		{"a negative MaxAge deletes the cookie", func(r *Response) {
			r.Cookie("gone", "", CookieOptions{MaxAge: -1})
		}, "gone=; Max-Age=0"},
		{"a name that is not a token is left out", func(r *Response) {
			r.Cookie("bad name", "x")
		}, ""},
		{"an attribute with ';' is left out", func(r *Response) {
			r.Cookie("a", "x", CookieOptions{Path: "/; Domain=evil"})
		}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := NewResponse(200, nil, "")
			tt.set(r)
			if got := r.Header("Set-Cookie"); got != tt.want {
				t.Errorf("Set-Cookie %q, want %q", got, tt.want)
			}
		})
	}
}

func TestResponseCookiesRepeat(t *testing.T) {
	r := NewResponse(200, nil, "").Cookie("a", "1").Cookie("b", "2")
	got := encodeString(r, keepAlive)
	want := "HTTP/1.1 200 OK\r\nSet-Cookie: a=1\r\nSet-Cookie: b=2\r\nConnection: keep-alive\r\n"
	if got[:len(want)] != want {
		t.Fatalf("two cookies:\n got %q\nwant prefix %q", got, want)
	}
}
