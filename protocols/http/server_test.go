package http_test

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"io"
	"mime/multipart"
	"net"
	nethttp "net/http"
	"net/http/cookiejar"
	"net/http/httptrace"
	"os"
	"os/exec"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/workerman-go/workerman/connection"
	"github.com/workerman-go/workerman/internal/eventloop"
	"github.com/workerman-go/workerman/internal/nettest"
	"github.com/workerman-go/workerman/protocols/http"
	"github.com/workerman-go/workerman/worker"
)

// serveHTTP serves onMessage on a free port with protocol options p (nil:
// the defaults) and returns the address.
func serveHTTP(t *testing.T, p *http.Protocol, onMessage func(c *connection.TcpConnection, r *http.Request), setup ...func(*worker.Worker)) string {
	t.Helper()
	if p != nil {
		setup = append(setup, func(w *worker.Worker) { w.Protocol = p })
	}
	return serve(t, func(c *connection.TcpConnection, data any) { onMessage(c, data.(*http.Request)) }, setup...)
}

func sendOK(c *connection.TcpConnection, _ *http.Request) { c.Send("ok") }

// readAll reads until the server closes the connection.
func readAll(t *testing.T, nc net.Conn) string {
	t.Helper()
	b, err := io.ReadAll(nc)
	if err != nil {
		t.Fatalf("reading until close: %v (got %q)", err, b)
	}
	return string(b)
}

func TestWireBytes(t *testing.T) {
	nettest.Backends(t, func(t *testing.T) {
		addr := serveHTTP(t, nil, func(c *connection.TcpConnection, r *http.Request) {
			if r.Header("accept") == "text/event-stream" {
				c.Send(http.NewResponse(200, http.Header{"Content-Type": "text/event-stream"}, "\r\n"))
				c.Send(&http.ServerSentEvents{Event: "message", Data: "hello", ID: "1"})
				return
			}
			c.Send("ok")
		})
		nc := nettest.Dial(t, addr)
		fmt.Fprint(nc, "GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nUser-Agent: curl/7.88.1\r\nAccept: */*\r\n\r\n")
		if got := nettest.ReadN(t, nc, len(seedOK)); got != seedOK {
			t.Fatalf("plain reply %q", got)
		}
		fmt.Fprint(nc, "GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept: text/event-stream\r\n\r\n")
		want := "HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nConnection: keep-alive\r\n\r\n" +
			"event: message\nid: 1\ndata: hello\n\n"
		if got := nettest.ReadN(t, nc, len(want)); got != want {
			t.Fatalf("event stream %q", got)
		}
	})
}

func TestPipelinedRequestsAreAnsweredInOrder(t *testing.T) {
	nettest.Backends(t, func(t *testing.T) {
		addr := serveHTTP(t, nil, func(c *connection.TcpConnection, r *http.Request) { c.Send(r.Path()) })
		nc := nettest.Dial(t, addr)
		var req, want strings.Builder
		for i := range 50 {
			fmt.Fprintf(&req, "GET /%d HTTP/1.1\r\nHost: a\r\n\r\n", i)
			body := fmt.Sprintf("/%d", i)
			fmt.Fprintf(&want, "HTTP/1.1 200 OK\r\nConnection: keep-alive\r\nContent-Type: text/html;charset=utf-8\r\nContent-Length: %d\r\n\r\n%s", len(body), body)
		}
		req.WriteString("GET /last HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n")
		want.WriteString("HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Type: text/html;charset=utf-8\r\nContent-Length: 5\r\n\r\n/last")
		nc.Write([]byte(req.String()))
		if got := readAll(t, nc); got != want.String() {
			t.Fatalf("got %q\nwant %q", got, want.String())
		}
	})
}

func TestKeepAlive(t *testing.T) {
	tests := []struct {
		name   string
		reqs   string
		closes bool
		conn   string // the Connection header of the replies
	}{
		{"HTTP/1.1 stays open", "GET / HTTP/1.1\r\nHost: a\r\n\r\n", false, "keep-alive"},
		{"HTTP/1.0 closes after its response", "GET / HTTP/1.0\r\n\r\n", true, "close"},
		{"HTTP/1.0 asking for keep-alive stays open", "GET / HTTP/1.0\r\nConnection: keep-alive\r\n\r\n", false, "keep-alive"},
		{"Connection: close from the client closes", "GET / HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n", true, "close"},
		{"a close token in a list closes", "GET / HTTP/1.1\r\nHost: a\r\nConnection: foo, Close\r\n\r\n", true, "close"},
	}
	nettest.Backends(t, func(t *testing.T) {
		addr := serveHTTP(t, nil, sendOK)
		for _, tc := range tests {
			t.Run(tc.name, func(t *testing.T) {
				nc := nettest.Dial(t, addr)
				nc.Write([]byte(tc.reqs))
				want := strings.Replace(seedOK, "keep-alive", tc.conn, 1)
				if got := nettest.ReadN(t, nc, len(want)); got != want {
					t.Fatalf("reply %q", got)
				}
				nc.SetReadDeadline(time.Now().Add(300 * time.Millisecond))
				_, err := nc.Read(make([]byte, 1))
				closed := err == io.EOF
				if closed != tc.closes {
					t.Fatalf("closed %v (read error %v), want %v", closed, err, tc.closes)
				}
			})
		}
	})
}

func TestServerClosesAfterConnectionCloseResponse(t *testing.T) {
	addr := serveHTTP(t, nil, func(c *connection.TcpConnection, _ *http.Request) {
		c.Send(http.NewResponse(200, http.Header{"Connection": "close"}, "bye"))
	})
	nc := nettest.Dial(t, addr)
	fmt.Fprint(nc, "GET / HTTP/1.1\r\nHost: a\r\n\r\nGET /never HTTP/1.1\r\nHost: a\r\n\r\n")
	got := readAll(t, nc)
	if strings.Count(got, "HTTP/1.1 200") != 1 || !strings.HasSuffix(got, "bye") {
		t.Fatalf("got %q", got)
	}
}

func TestHeadGetsNoBody(t *testing.T) {
	nettest.Backends(t, func(t *testing.T) {
		addr := serveHTTP(t, nil, sendOK)
		nc := nettest.Dial(t, addr)
		fmt.Fprint(nc, "HEAD / HTTP/1.1\r\nHost: a\r\n\r\nGET / HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n")
		head := strings.TrimSuffix(seedOK, "ok")
		want := head + strings.Replace(seedOK, "keep-alive", "close", 1)
		if got := readAll(t, nc); got != want {
			t.Fatalf("got %q\nwant %q", got, want)
		}
	})
}

func TestHeadOfAChunkedResponseGetsNoChunks(t *testing.T) {
	addr := serveHTTP(t, nil, func(c *connection.TcpConnection, r *http.Request) {
		c.Send(http.NewResponse(200, http.Header{"Transfer-Encoding": "chunked"}, r.Method()))
		c.Send(http.NewChunk("!"))
		c.Send(http.NewChunk(""))
	})
	nc := nettest.Dial(t, addr)
	fmt.Fprint(nc, "HEAD / HTTP/1.1\r\nHost: a\r\n\r\nGET / HTTP/1.1\r\nHost: a\r\n\r\n")
	r := bufio.NewReader(nc)
	head, err := nethttp.ReadResponse(r, &nethttp.Request{Method: "HEAD"})
	if err != nil || head.StatusCode != 200 {
		t.Fatalf("HEAD: %v, %v", head, err)
	}
	resp, err := nethttp.ReadResponse(r, nil)
	if err != nil {
		t.Fatalf("the GET after it: %v", err)
	}
	body, err := io.ReadAll(resp.Body)
	if err != nil || string(body) != "GET!" {
		t.Fatalf("the GET after it: body %q, %v", body, err)
	}
}

func TestBadRequestsAreAnsweredAndClosed(t *testing.T) {
	tests := []struct{ name, req, status string }{
		{"smuggling attempt", "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 4\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n", "400 Bad Request"},
		{"unknown version", "GET / HTTP/3.0\r\nHost: a\r\n\r\n", "505 HTTP Version Not Supported"},
		{"huge head", "GET / HTTP/1.1\r\nHost: a\r\nX: " + strings.Repeat("x", 20000) + "\r\n\r\n", "431 Request Header Fields Too Large"},
		{"huge body", "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 999999999\r\n\r\n", "413 "},
	}
	nettest.Backends(t, func(t *testing.T) {
		addr := serveHTTP(t, nil, sendOK)
		for _, tc := range tests {
			t.Run(tc.name, func(t *testing.T) {
				nc := nettest.Dial(t, addr)
				nc.Write([]byte(tc.req))
				got := readAll(t, nc)
				if !strings.HasPrefix(got, "HTTP/1.1 "+tc.status) || !strings.HasSuffix(got, "\r\nConnection: close\r\n\r\n") {
					t.Fatalf("got %q", got)
				}
			})
		}
	})
}

func TestChunkedUploadWithExpectContinue(t *testing.T) {
	nettest.Backends(t, func(t *testing.T) {
		addr := serveHTTP(t, nil, func(c *connection.TcpConnection, r *http.Request) { c.Send(r.RawBody()) })
		nc := nettest.Dial(t, addr)
		fmt.Fprint(nc, "POST / HTTP/1.1\r\nHost: a\r\nExpect: 100-continue\r\nTransfer-Encoding: chunked\r\n\r\n")
		br := bufio.NewReader(nc)
		if got := nettest.ReadN(t, br, 25); got != "HTTP/1.1 100 Continue\r\n\r\n" {
			t.Fatalf("interim reply %q", got)
		}
		fmt.Fprint(nc, "3;ext=1\r\nabc\r\n")
		fmt.Fprint(nc, "2\r\nde\r\n0\r\nX-Trailer: 1\r\n\r\n")
		want := strings.NewReplacer("Content-Length: 2", "Content-Length: 5", "\r\n\r\nok", "\r\n\r\nabcde").Replace(seedOK)
		if got := nettest.ReadN(t, br, len(want)); got != want {
			t.Fatalf("got %q", got)
		}
	})
}

// TestGoClientReusesConnections sends 300 requests through net/http's client
// limited to one connection: the server keeps it open and every response
// lets the client keep it. The client may still drop a healthy connection
// itself: a response read before its writer goroutine reports the request
// written (net/http waits 50 ms for that, then closes), which a loaded
// machine can delay. So the test tells who ended each connection, and fails
// when the server ended one or asked to.
func TestGoClientReusesConnections(t *testing.T) {
	nettest.Backends(t, func(t *testing.T) {
		var accepted atomic.Int32
		addr := serveHTTP(t, nil, func(c *connection.TcpConnection, r *http.Request) {
			c.Send(http.NewResponse(200, http.Header{"Content-Type": "text/plain"}, r.Method()+" "+r.Get("n")+" "+r.Post("v")))
		}, func(w *worker.Worker) { w.OnConnect = func(*connection.TcpConnection) { accepted.Add(1) } })
		var dialed dialLog
		tr := &nethttp.Transport{MaxConnsPerHost: 1, DialContext: dialed.dial}
		t.Cleanup(tr.CloseIdleConnections)
		client := &nethttp.Client{Transport: tr, Timeout: 30 * time.Second}
		trace := &httptrace.ClientTrace{GotConn: func(info httptrace.GotConnInfo) { info.Conn.(*loggedConn).carried() }}
		ctx := httptrace.WithClientTrace(context.Background(), trace)
		base := "http://" + addr
		for i := range 300 {
			req, _ := nethttp.NewRequestWithContext(ctx, "GET", fmt.Sprintf("%s/?n=%d", base, i), nil)
			if i%2 == 1 {
				req, _ = nethttp.NewRequestWithContext(ctx, "POST", fmt.Sprintf("%s/?n=%d", base, i), strings.NewReader("v=a+b%21"))
				req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			}
			resp, err := client.Do(req)
			if err != nil {
				t.Fatalf("request %d: %v (connections: %s)", i, err, dialed.String())
			}
			body, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			want := fmt.Sprintf("GET %d ", i)
			if i%2 == 1 {
				want = fmt.Sprintf("POST %d a b!", i)
			}
			if string(body) != want {
				t.Fatalf("request %d: %q, want %q", i, body, want)
			}
			if resp.Close {
				t.Fatalf("request %d: the response ends the connection (%v)", i, resp.Header)
			}
		}
		history := dialed.String()
		if n := accepted.Load(); int(n) != dialed.count() {
			t.Fatalf("the server accepted %d connections, the client dialed %d: %s", n, dialed.count(), history)
		}
		if by := dialed.endedByServer(); by != 0 {
			t.Fatalf("the server ended %d connections: %s", by, history)
		}
		if dialed.count() > 1 {
			t.Logf("the client dropped a connection the server kept: %s", history)
		}
	})
}

// dialLog is the connections a client dialed, in order.
type dialLog struct {
	mu    sync.Mutex
	conns []*loggedConn
}

func (d *dialLog) dial(ctx context.Context, network, addr string) (net.Conn, error) {
	var nd net.Dialer
	nc, err := nd.DialContext(ctx, network, addr)
	if err != nil {
		return nil, err
	}
	c := &loggedConn{Conn: nc, log: d}
	d.mu.Lock()
	d.conns = append(d.conns, c)
	d.mu.Unlock()
	return c, nil
}

func (d *dialLog) count() int {
	d.mu.Lock()
	defer d.mu.Unlock()
	return len(d.conns)
}

func (d *dialLog) endedByServer() (n int) {
	d.mu.Lock()
	defer d.mu.Unlock()
	for _, c := range d.conns {
		if c.byServer {
			n++
		}
	}
	return n
}

func (d *dialLog) String() string {
	d.mu.Lock()
	defer d.mu.Unlock()
	var b strings.Builder
	for i, c := range d.conns {
		end := c.end
		if end == "" {
			end = "open"
		}
		fmt.Fprintf(&b, "[#%d: %d requests, %s] ", i+1, c.requests, end)
	}
	return b.String()
}

// loggedConn is a client connection that records how many requests it
// carried and which side ended it first: the client's Close, or a read
// error (the server's close or reset) before it.
type loggedConn struct {
	net.Conn
	log      *dialLog
	requests int
	end      string
	byServer bool
}

func (c *loggedConn) carried() {
	c.log.mu.Lock()
	c.requests++
	c.log.mu.Unlock()
}

func (c *loggedConn) Read(b []byte) (int, error) {
	n, err := c.Conn.Read(b)
	if err != nil {
		c.log.mu.Lock()
		if c.end == "" {
			c.end, c.byServer = "read: "+err.Error(), true
		}
		c.log.mu.Unlock()
	}
	return n, err
}

func (c *loggedConn) Close() error {
	c.log.mu.Lock()
	if c.end == "" {
		c.end = "closed by the client"
	}
	c.log.mu.Unlock()
	return c.Conn.Close()
}

func TestUploadsAreRemovedWhenTheRequestEnds(t *testing.T) {
	dir := t.TempDir()
	seen := make(chan [2]string, 1) // the temporary file's name and content
	addr := serveHTTP(t, &http.Protocol{UploadDir: dir}, func(c *connection.TcpConnection, r *http.Request) {
		f := r.File("doc")
		if f == nil {
			c.Send("no file")
			return
		}
		b, _ := os.ReadFile(f.TmpName)
		seen <- [2]string{f.TmpName, string(b)}
		c.Send(fmt.Sprintf("%s %d %s", f.Name, f.Size, r.Post("title")))
	})
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	mw.WriteField("title", "report")
	fw, _ := mw.CreateFormFile("doc", "a.txt")
	fw.Write([]byte("file content"))
	mw.Close()
	resp, err := nethttp.Post("http://"+addr+"/up", mw.FormDataContentType(), &body)
	if err != nil {
		t.Fatal(err)
	}
	got, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	file := <-seen
	tmpName, content := file[0], file[1]
	if string(got) != "a.txt 12 report" || content != "file content" {
		t.Fatalf("reply %q, file %q", got, content)
	}
	// The request ended when OnMessage returned: a round trip later the file is gone.
	resp, err = nethttp.Get("http://" + addr + "/")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if _, err := os.Stat(tmpName); !os.IsNotExist(err) {
		t.Fatalf("upload %s still there: %v", tmpName, err)
	}
}

// An event stream's request ends when OnMessage returns, though the stream
// stays open: its uploads are removed then, not when the stream ends.
func TestAnEventStreamLetsItsRequestGo(t *testing.T) {
	dir := t.TempDir()
	seen := make(chan string, 1)
	addr := serveHTTP(t, &http.Protocol{UploadDir: dir}, func(c *connection.TcpConnection, r *http.Request) {
		if f := r.File("doc"); f != nil {
			seen <- f.TmpName
		}
		c.Send(http.NewResponse(200, http.Header{"Content-Type": "text/event-stream"}, ""))
		c.Send(&http.ServerSentEvents{Data: "open"})
	})
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	fw, _ := mw.CreateFormFile("doc", "a.txt")
	fw.Write([]byte("file content"))
	mw.Close()
	nc := nettest.Dial(t, addr)
	fmt.Fprintf(nc, "POST /events HTTP/1.1\r\nHost: a\r\nAccept: text/event-stream\r\nContent-Type: %s\r\nContent-Length: %d\r\n\r\n%s",
		mw.FormDataContentType(), body.Len(), body.Bytes())
	head := "HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nConnection: keep-alive\r\n\r\ndata: open\n\n"
	if got := nettest.ReadN(t, nc, len(head)); got != head {
		t.Fatalf("got %q", got)
	}
	tmpName := <-seen
	nettest.Eventually(t, "the upload removed while the stream stays open", func() bool {
		_, err := os.Stat(tmpName)
		return os.IsNotExist(err)
	})
}

func TestSessionsPersistBetweenRequests(t *testing.T) {
	cfg := http.NewSessionConfig()
	cfg.SavePath = t.TempDir()
	addr := serveHTTP(t, &http.Protocol{Session: cfg}, func(c *connection.TcpConnection, r *http.Request) {
		s := r.Session()
		n, _ := s.Get("n").(float64)
		s.Set("n", n+1)
		c.Send(fmt.Sprint(n + 1))
	})
	jar, _ := cookiejar.New(nil)
	client := &nethttp.Client{Jar: jar, Timeout: 30 * time.Second}
	for i := 1; i <= 3; i++ {
		resp, err := client.Get("http://" + addr + "/")
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if string(body) != fmt.Sprint(i) {
			t.Fatalf("request %d: %q (Set-Cookie %q)", i, body, resp.Header.Values("Set-Cookie"))
		}
		if i == 1 && !strings.HasPrefix(resp.Header.Get("Set-Cookie"), "PHPSID=") {
			t.Fatalf("no session cookie: %q", resp.Header)
		}
	}
	files, _ := os.ReadDir(cfg.SavePath)
	if len(files) != 1 || !strings.HasPrefix(files[0].Name(), "session_") {
		t.Fatalf("session files %v", files)
	}
}

func TestCurl(t *testing.T) {
	curl := nettest.Need(t, "curl")
	addr := serveHTTP(t, nil, sendOK)
	url := "http://" + addr + "/"
	out, err := exec.Command(curl, "-sS", "--max-time", "20", url, url).CombinedOutput()
	if err != nil || string(out) != "okok" {
		t.Fatalf("curl: %v %q", err, out)
	}
}

func TestMaxRequestsClosesTheConnection(t *testing.T) {
	addr := serveHTTP(t, &http.Protocol{MaxRequests: 2}, sendOK)
	nc := nettest.Dial(t, addr)
	fmt.Fprint(nc, "GET / HTTP/1.1\r\nHost: a\r\n\r\nGET / HTTP/1.1\r\nHost: a\r\n\r\nGET / HTTP/1.1\r\nHost: a\r\n\r\n")
	want := seedOK + strings.Replace(seedOK, "keep-alive", "close", 1)
	if got := readAll(t, nc); got != want {
		t.Fatalf("got %q", got)
	}
}

func TestIdleKeepAliveConnectionsAreClosed(t *testing.T) {
	nettest.Backends(t, func(t *testing.T) {
		addr := serveHTTP(t, &http.Protocol{IdleTimeout: 100 * time.Millisecond}, sendOK)
		nc := nettest.Dial(t, addr)
		fmt.Fprint(nc, "GET / HTTP/1.1\r\nHost: a\r\n\r\n")
		if got := readAll(t, nc); got != seedOK {
			t.Fatalf("got %q", got)
		}
	})
}

func TestEventStreamsOutliveTheIdleTimeout(t *testing.T) {
	addr := serveHTTP(t, &http.Protocol{IdleTimeout: 50 * time.Millisecond}, func(c *connection.TcpConnection, _ *http.Request) {
		c.Send(http.NewResponse(200, http.Header{"Content-Type": "text/event-stream"}, ""))
		// Ten idle timeouts later the stream is still there to send to.
		eventloop.Default().AddTimer(500*time.Millisecond, eventloop.Once, func() { c.Send(&http.ServerSentEvents{Data: "late"}) })
	})
	nc := nettest.Dial(t, addr)
	fmt.Fprint(nc, "GET / HTTP/1.1\r\nHost: a\r\n\r\n")
	want := "HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nConnection: keep-alive\r\n\r\ndata: late\n\n"
	if got := nettest.ReadN(t, nc, len(want)); got != want {
		t.Fatalf("got %q", got)
	}
}

// TestSlowloris holds many connections that send their head one byte at a
// time: a normal client still gets its answer, and the header timeout closes
// every slow one.
func TestSlowloris(t *testing.T) {
	nettest.Backends(t, func(t *testing.T) {
		conns := 2000
		if eventloop.Default().Backend() == eventloop.Portable {
			conns = 200 // a goroutine pair per connection
		}
		addr := serveHTTP(t, &http.Protocol{HeaderTimeout: time.Second}, sendOK)
		head := "GET / HTTP/1.1\r\nHost: a\r\nX-Slow: " + strings.Repeat("s", 100) + "\r\n\r\n"
		slow := make([]net.Conn, conns)
		for i := range slow {
			slow[i] = nettest.Dial(t, addr)
			slow[i].Write([]byte(head[:1]))
		}
		stop := make(chan struct{})
		done := make(chan struct{})
		go func() { // one more byte per connection every 20 ms, never the whole head
			defer close(done)
			for i := 1; i < len(head)-1; i++ {
				select {
				case <-stop:
					return
				case <-time.After(20 * time.Millisecond):
				}
				for _, nc := range slow {
					nc.Write([]byte{head[i]})
				}
			}
		}()
		defer func() { close(stop); <-done }()

		nc := nettest.Dial(t, addr)
		fmt.Fprint(nc, "GET / HTTP/1.1\r\nHost: a\r\n\r\n")
		if got := nettest.ReadN(t, nc, len(seedOK)); got != seedOK {
			t.Fatalf("normal client got %q", got)
		}
		for i, sc := range slow {
			got := readAll(t, sc)
			if got != "HTTP/1.1 408 Request Timeout\r\nConnection: close\r\n\r\n" {
				t.Fatalf("slow connection %d got %q", i, got)
			}
		}
	})
}
