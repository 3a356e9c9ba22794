package http_test

import (
	"bufio"
	"bytes"
	"io"
	"net"
	nethttp "net/http"
	"os"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"github.com/workerman-go/workerman/connection"
	"github.com/workerman-go/workerman/internal/nettest"
	"github.com/workerman-go/workerman/protocols/http"
	"github.com/workerman-go/workerman/worker"
)

// openFDs counts this process's open file descriptors.
func openFDs(t *testing.T) int {
	t.Helper()
	ents, err := os.ReadDir("/proc/self/fd")
	if err != nil {
		t.Skip("no /proc/self/fd to count descriptors")
	}
	return len(ents)
}

func TestWithFileOverSocket(t *testing.T) {
	data := make([]byte, 3<<20+123)
	for i := range data {
		data[i] = byte(i * 7)
	}
	path := filepath.Join(t.TempDir(), "big.bin")
	if err := os.WriteFile(path, data, 0o644); err != nil {
		t.Fatal(err)
	}
	nettest.Backends(t, func(t *testing.T) {
		addr := serve(t, func(c *connection.TcpConnection, msg any) {
			req := msg.(*http.Request)
			off, _ := strconv.ParseInt(req.Get("off"), 10, 64)
			n, _ := strconv.ParseInt(req.Get("len"), 10, 64)
			c.Send(http.NewResponse(200, nil, "").WithFile(path, off, n))
		}, func(w *worker.Worker) { w.MaxSendBufferSize = 128 << 10 })
		fds := openFDs(t)
		client := &nethttp.Client{Timeout: 60 * time.Second}

		t.Run("the whole file arrives intact over one keep-alive connection", func(t *testing.T) {
			for i := 0; i < 2; i++ {
				resp, err := client.Get("http://" + addr + "/")
				if err != nil {
					t.Fatal(err)
				}
				body, err := io.ReadAll(resp.Body)
				resp.Body.Close()
				if err != nil || !bytes.Equal(body, data) || resp.StatusCode != 200 {
					t.Fatalf("status %d, %d bytes (want %d), err %v", resp.StatusCode, len(body), len(data), err)
				}
				if ct := resp.Header.Get("Content-Type"); ct != "application/octet-stream" {
					t.Errorf("Content-Type %q", ct)
				}
			}
		})
		t.Run("a range arrives as 206 with its Content-Range", func(t *testing.T) {
			resp, err := client.Get("http://" + addr + "/?off=1000000&len=1500000")
			if err != nil {
				t.Fatal(err)
			}
			body, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if resp.StatusCode != 206 || !bytes.Equal(body, data[1000000:2500000]) {
				t.Fatalf("status %d, %d bytes", resp.StatusCode, len(body))
			}
			if cr := resp.Header.Get("Content-Range"); cr != "bytes 1000000-2499999/"+strconv.Itoa(len(data)) {
				t.Errorf("Content-Range %q", cr)
			}
		})
		t.Run("a request pipelined behind a file is answered after the whole file", func(t *testing.T) {
			c, err := net.Dial("tcp", addr)
			if err != nil {
				t.Fatal(err)
			}
			defer c.Close()
			c.SetDeadline(time.Now().Add(60 * time.Second))
			c.Write([]byte("GET / HTTP/1.1\r\nHost: x\r\n\r\nGET /?off=0&len=5 HTTP/1.1\r\nHost: x\r\n\r\n"))
			r := bufio.NewReader(c)
			for i, want := range [][]byte{data, data[:5]} {
				resp, err := nethttp.ReadResponse(r, nil)
				if err != nil {
					t.Fatalf("response %d: %v", i, err)
				}
				body, err := io.ReadAll(resp.Body)
				if err != nil || !bytes.Equal(body, want) {
					t.Fatalf("response %d: %d bytes (want %d), err %v", i, len(body), len(want), err)
				}
			}
		})
		t.Run("a client that leaves mid-file leaves no descriptor open", func(t *testing.T) {
			for i := 0; i < 5; i++ {
				c, err := net.Dial("tcp", addr)
				if err != nil {
					t.Fatal(err)
				}
				c.Write([]byte("GET / HTTP/1.1\r\nHost: x\r\n\r\n"))
				io.ReadFull(c, make([]byte, 200<<10))
				c.Close()
			}
			client.CloseIdleConnections()
			nettest.Eventually(t, "descriptors back to their count", func() bool { return openFDs(t) <= fds })
		})
	})
}

func TestWithFileMissingWithNetHTTPClient(t *testing.T) {
	addr := serve(t, func(c *connection.TcpConnection, msg any) {
		c.Send(http.NewResponse(200, nil, "").WithFile(filepath.Join(t.TempDir(), "missing"), 0, 0))
	})
	resp, err := (&nethttp.Client{Timeout: 30 * time.Second}).Get("http://" + addr + "/")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 404 || string(body) != "<h3>404 Not Found</h3>" {
		t.Fatalf("status %d body %q", resp.StatusCode, body)
	}
}
