package http

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// writeFile makes a file of n bytes (a repeating pattern) in a temp dir with
// a fixed modification time.
func writeFile(t *testing.T, name string, n int) (string, []byte) {
	t.Helper()
	b := make([]byte, n)
	for i := range b {
		b[i] = byte('a' + i%26)
	}
	p := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(p, b, 0o644); err != nil {
		t.Fatal(err)
	}
	mt := time.Date(2024, 3, 9, 8, 7, 6, 0, time.UTC)
	if err := os.Chtimes(p, mt, mt); err != nil {
		t.Fatal(err)
	}
	return p, b
}

// splitResponse cuts encoded bytes at the end of the head.
func splitResponse(t *testing.T, b []byte) (head string, body []byte) {
	t.Helper()
	i := bytes.Index(b, []byte("\r\n\r\n"))
	if i < 0 {
		t.Fatalf("no end of head in %q", b)
	}
	return string(b[:i+4]), b[i+4:]
}

func TestWithFileHead(t *testing.T) {
	jpg, data := writeFile(t, "x.jpg", 100)
	bin, _ := writeFile(t, `we"ird\name.bin`, 10)
	tests := []struct {
		name     string
		r        *Response
		o        encodeOpts
		wantHead string
		wantBody string
	}{
		{"a whole file: type by extension, Last-Modified, Accept-Ranges, length",
			NewResponse(200, nil, "").WithFile(jpg, 0, 0), keepAlive,
			"HTTP/1.1 200 OK\r\nConnection: keep-alive\r\nContent-Type: image/jpeg\r\nLast-Modified: Sat, 09 Mar 2024 08:07:06 GMT\r\n" +
				"Accept-Ranges: bytes\r\nContent-Length: 100\r\n\r\n", string(data)},
		{"offset and length make a 206 with Content-Range (Workerman's withFile(x.jpg, 0, 12))",
			NewResponse(200, nil, "").WithFile(jpg, 0, 12), keepAlive,
			"HTTP/1.1 206 Partial Content\r\nConnection: keep-alive\r\nContent-Type: image/jpeg\r\nLast-Modified: Sat, 09 Mar 2024 08:07:06 GMT\r\n" +
				"Accept-Ranges: bytes\r\nContent-Range: bytes 0-11/100\r\nContent-Length: 12\r\n\r\n", string(data[:12])},
		{"an offset alone runs to the end of the file",
			NewResponse(200, nil, "").WithFile(jpg, 90, 0), keepAlive,
			"HTTP/1.1 206 Partial Content\r\nConnection: keep-alive\r\nContent-Type: image/jpeg\r\nLast-Modified: Sat, 09 Mar 2024 08:07:06 GMT\r\n" +
				"Accept-Ranges: bytes\r\nContent-Range: bytes 90-99/100\r\nContent-Length: 10\r\n\r\n", string(data[90:])},
		{"a length past the end is cut at the end",
			NewResponse(200, nil, "").WithFile(jpg, 95, 1000), keepAlive,
			"HTTP/1.1 206 Partial Content\r\nConnection: keep-alive\r\nContent-Type: image/jpeg\r\nLast-Modified: Sat, 09 Mar 2024 08:07:06 GMT\r\n" +
				"Accept-Ranges: bytes\r\nContent-Range: bytes 95-99/100\r\nContent-Length: 5\r\n\r\n", string(data[95:])},
		{"a range past the end is 416",
			NewResponse(200, nil, "").WithFile(jpg, 100, 0), keepAlive,
			"HTTP/1.1 416 Range Not Satisfiable\r\nContent-Range: bytes */100\r\nConnection: keep-alive\r\nContent-Type: text/html;charset=utf-8\r\nContent-Length: 34\r\n\r\n",
			"<h3>416 Range Not Satisfiable</h3>"},
		{"an unknown type is offered as a download under a clean name",
			NewResponse(200, nil, "").WithFile(bin, 0, 0).WithHeader("Last-Modified", "x"), keepAlive,
			"HTTP/1.1 200 OK\r\nLast-Modified: x\r\nConnection: keep-alive\r\nContent-Type: application/octet-stream\r\n" +
				"Content-Disposition: attachment; filename=\"weirdname.bin\"\r\nAccept-Ranges: bytes\r\nContent-Length: 10\r\n\r\n", "abcdefghij"},
		{"the application's Content-Type wins and Transfer-Encoding is dropped",
			NewResponse(200, Header{"Content-Type": "text/plain", "Transfer-Encoding": "chunked"}, "").WithFile(bin, 0, 3), encodeOpts{},
			"HTTP/1.1 206 Partial Content\r\nContent-Type: text/plain\r\nConnection: close\r\nLast-Modified: Sat, 09 Mar 2024 08:07:06 GMT\r\n" +
				"Accept-Ranges: bytes\r\nContent-Range: bytes 0-2/10\r\nContent-Length: 3\r\n\r\n", "abc"},
		{"HEAD gets the head only",
			NewResponse(200, nil, "").WithFile(jpg, 0, 0), encodeOpts{head: true, keepAlive: true},
			"HTTP/1.1 200 OK\r\nConnection: keep-alive\r\nContent-Type: image/jpeg\r\nLast-Modified: Sat, 09 Mar 2024 08:07:06 GMT\r\n" +
				"Accept-Ranges: bytes\r\nContent-Length: 100\r\n\r\n", ""},
		{"a missing file is a 404 at once",
			NewResponse(200, nil, "").WithFile(filepath.Join(t.TempDir(), "nope.txt"), 0, 0), keepAlive,
			"HTTP/1.1 404 Not Found\r\nConnection: keep-alive\r\nContent-Type: text/html;charset=utf-8\r\nContent-Length: 22\r\n\r\n",
			"<h3>404 Not Found</h3>"},
		{"a directory is a 404",
			NewResponse(200, nil, "").WithFile(t.TempDir(), 0, 0), keepAlive,
			"HTTP/1.1 404 Not Found\r\nConnection: keep-alive\r\nContent-Type: text/html;charset=utf-8\r\nContent-Length: 22\r\n\r\n",
			"<h3>404 Not Found</h3>"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := newFakeConn()
			b, err := tt.r.encode(nil, c, tt.o)
			if err != nil {
				t.Fatal(err)
			}
			head, body := splitResponse(t, b)
			if head != tt.wantHead {
				t.Errorf("head\n got %q\nwant %q", head, tt.wantHead)
			}
			if string(body) != tt.wantBody {
				t.Errorf("body %q, want %q", body, tt.wantBody)
			}
			if tt.r.streaming() || c.drain != nil {
				t.Error("a small file is streaming")
			}
		})
	}
}

func TestWithFileRemovedBeforeSend(t *testing.T) {
	p, _ := writeFile(t, "gone.txt", 10)
	r := NewResponse(200, nil, "").WithFile(p, 0, 0)
	if r.StatusCode() != 200 {
		t.Fatalf("status %d for an existing file", r.StatusCode())
	}
	os.Remove(p)
	b, _ := r.encode(nil, newFakeConn(), keepAlive)
	if head, _ := splitResponse(t, b); !strings.HasPrefix(head, "HTTP/1.1 404 Not Found\r\n") {
		t.Fatalf("a file removed after WithFile: %q", head)
	}
}

// drainAll plays the loop's part: empty the send buffer, run the drain callback.
func drainAll(c *fakeConn) (rounds int) {
	for c.drain != nil {
		fn := c.drain
		c.drain, c.buffered = nil, 0
		fn()
		rounds++
	}
	return rounds
}

func TestWithFileStreamsUnderBackPressure(t *testing.T) {
	const size = 300 << 10
	p, data := writeFile(t, "big.bin", size)
	for _, keep := range []bool{true, false} {
		c := &fakeConn{limit: 10 << 20, sendLimit: 64 << 10}
		r := NewResponse(200, nil, "").WithFile(p, 0, 0)
		b, _ := r.encode(nil, c, encodeOpts{keepAlive: keep})
		_, body := splitResponse(t, b)
		if len(body) >= size || !r.streaming() || c.drain == nil {
			t.Fatalf("keepAlive %v: first write holds %d of %d bytes, streaming %v: want a part and a stream", keep, len(body), size, r.streaming())
		}
		rounds := drainAll(c)
		got := append(body, c.out...)
		if !bytes.Equal(got, data) {
			t.Fatalf("keepAlive %v: streamed body differs (%d bytes, want %d)", keep, len(got), size)
		}
		if rounds < 3 {
			t.Errorf("keepAlive %v: %d drain rounds for %d bytes through a 64 KiB buffer", keep, rounds, size)
		}
		if r.streaming() {
			t.Errorf("keepAlive %v: still streaming after the last byte", keep)
		}
		if c.closed == keep {
			t.Errorf("keepAlive %v: connection closed = %v at the end of the file", keep, c.closed)
		}
	}
}

func TestWithFileChangedWhileStreaming(t *testing.T) {
	p, _ := writeFile(t, "big.bin", 300<<10)
	c := &fakeConn{limit: 10 << 20, sendLimit: 64 << 10}
	r := NewResponse(200, nil, "").WithFile(p, 0, 0)
	if _, err := r.encode(nil, c, keepAlive); err != nil {
		t.Fatal(err)
	}
	// Replace the file with another of the same size: the stream must stop
	// rather than send bytes of the new file under the old head.
	other := p + ".new"
	if err := os.WriteFile(other, make([]byte, 300<<10), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Rename(other, p); err != nil {
		t.Fatal(err)
	}
	drainAll(c)
	if !c.closed || len(c.out) != 0 || r.streaming() {
		t.Fatalf("after the file was replaced: closed %v, sent %d more bytes, streaming %v", c.closed, len(c.out), r.streaming())
	}
}

func TestMimeType(t *testing.T) {
	tests := []struct {
		path, want string
		known      bool
	}{
		{"/a/index.html", "text/html", true},
		{"PHOTO.JPG", "image/jpeg", true},
		{"app.js", "text/javascript", true},
		{"archive.tar.gz", "application/gzip", true},
		{"noext", "application/octet-stream", false},
		{"x.unknownext", "application/octet-stream", false},
	}
	for _, tt := range tests {
		t.Run(tt.path+" is "+tt.want, func(t *testing.T) {
			got, known := mimeType(tt.path)
			if got != tt.want || known != tt.known {
				t.Errorf("mimeType = %q, %v", got, known)
			}
		})
	}
}
