package connection_test

import (
	"bufio"
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/workerman-go/workerman/connection"
	"github.com/workerman-go/workerman/internal/nettest"
	"github.com/workerman-go/workerman/worker"
)

// serve starts workers in this process and stops them when the test ends.
func serve(t *testing.T, ws ...*worker.Worker) { nettest.Serve(t, ws...) }

func dial(t *testing.T, w *worker.Worker) net.Conn { return nettest.Dial(t, w.Addr().String()) }

func echoWorker(name string) *worker.Worker {
	w := worker.New(name)
	w.OnMessage = func(c *connection.TcpConnection, data any) {
		switch d := data.(type) {
		case string:
			c.Send(d)
		case []byte:
			c.Send(bytes.Clone(d))
		}
	}
	return w
}

func frameBytes(s string) []byte {
	b := make([]byte, 4, 4+len(s))
	binary.BigEndian.PutUint32(b, uint32(4+len(s)))
	return append(b, s...)
}

func readLine(t *testing.T, r *bufio.Reader) string {
	t.Helper()
	s, err := r.ReadString('\n')
	if err != nil {
		t.Fatalf("read line: %v (got %q)", err, s)
	}
	return s
}

func TestEcho(t *testing.T) {
	nettest.Backends(t, func(t *testing.T) {
		t.Run("text echoes each line", func(t *testing.T) {
			w := echoWorker("text://127.0.0.1:0")
			serve(t, w)
			nc := dial(t, w)
			io.WriteString(nc, "hello\nworld\r\n")
			r := bufio.NewReader(nc)
			if got := readLine(t, r) + readLine(t, r); got != "hello\nworld\n" {
				t.Fatalf("got %q", got)
			}
		})
		t.Run("frame echoes each frame", func(t *testing.T) {
			w := echoWorker("frame://127.0.0.1:0")
			serve(t, w)
			nc := dial(t, w)
			nc.Write(append(frameBytes("abc"), frameBytes("")...))
			want := append(frameBytes("abc"), frameBytes("")...)
			got := make([]byte, len(want))
			if _, err := io.ReadFull(nc, got); err != nil || !bytes.Equal(got, want) {
				t.Fatalf("got %q, %v; want %q", got, err, want)
			}
		})
		t.Run("raw tcp hands over each read", func(t *testing.T) {
			w := echoWorker("tcp://127.0.0.1:0")
			serve(t, w)
			nc := dial(t, w)
			io.WriteString(nc, "ping")
			got := make([]byte, 4)
			if _, err := io.ReadFull(nc, got); err != nil || string(got) != "ping" {
				t.Fatalf("got %q, %v", got, err)
			}
		})
		t.Run("unix socket echoes", func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "echo.sock")
			w := echoWorker("text://" + path)
			w.Transport = "unix"
			serve(t, w)
			nc := dial(t, w)
			io.WriteString(nc, "over unix\n")
			if got := readLine(t, bufio.NewReader(nc)); got != "over unix\n" {
				t.Fatalf("got %q", got)
			}
		})
	})
}

func TestPackagesAcrossWrites(t *testing.T) {
	nettest.Backends(t, func(t *testing.T) {
		t.Run("a package split into one-byte writes arrives whole", func(t *testing.T) {
			var got []string
			w := worker.New("frame://127.0.0.1:0")
			done := make(chan struct{})
			w.OnMessage = func(c *connection.TcpConnection, data any) {
				got = append(got, data.(string))
				if len(got) == 2 {
					close(done)
				}
			}
			serve(t, w)
			nc := dial(t, w)
			msg := append(frameBytes("split into many tiny writes"), frameBytes("second")...)
			for i := range msg {
				if _, err := nc.Write(msg[i : i+1]); err != nil {
					t.Fatal(err)
				}
			}
			<-done
			if got[0] != "split into many tiny writes" || got[1] != "second" {
				t.Fatalf("got %q", got)
			}
		})
		t.Run("many packages in one write each reach OnMessage in order", func(t *testing.T) {
			const n = 1000
			w := echoWorker("text://127.0.0.1:0")
			serve(t, w)
			nc := dial(t, w)
			var b strings.Builder
			for i := range n {
				fmt.Fprintf(&b, "line %d\n", i)
			}
			go io.WriteString(nc, b.String())
			r := bufio.NewReader(nc)
			for i := range n {
				if got, want := readLine(t, r), fmt.Sprintf("line %d\n", i); got != want {
					t.Fatalf("reply %d = %q, want %q", i, got, want)
				}
			}
		})
	})
}

func TestManyConnections(t *testing.T) {
	nettest.Backends(t, func(t *testing.T) {
		const n = 5000
		w := echoWorker("text://127.0.0.1:0")
		var open atomic.Int64
		w.OnConnect = func(*connection.TcpConnection) { open.Add(1) }
		w.OnClose = func(*connection.TcpConnection) { open.Add(-1) }
		serve(t, w)
		conns := make([]net.Conn, n)
		for i := range conns {
			nc, err := net.Dial("tcp", w.Addr().String())
			if err != nil {
				t.Fatalf("dial %d: %v", i, err)
			}
			conns[i] = nc
			defer nc.Close()
		}
		var wg sync.WaitGroup
		errs := make(chan error, n)
		for g := range 8 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				buf := make([]byte, 64)
				for i := g; i < n; i += 8 {
					nc := conns[i]
					nc.SetDeadline(time.Now().Add(60 * time.Second))
					want := fmt.Sprintf("conn %d\n", i)
					if _, err := io.WriteString(nc, want); err != nil {
						errs <- err
						return
					}
					if _, err := io.ReadFull(nc, buf[:len(want)]); err != nil || string(buf[:len(want)]) != want {
						errs <- fmt.Errorf("conn %d: got %q, %v", i, buf[:len(want)], err)
						return
					}
				}
			}()
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			t.Fatal(err)
		}
		if got := open.Load(); got != n {
			t.Fatalf("OnConnect-OnClose = %d, want %d open", got, n)
		}
	})
}

func TestSendAndCloseFromOtherGoroutines(t *testing.T) {
	nettest.Backends(t, func(t *testing.T) {
		const senders, each = 8, 200
		w := worker.New("text://127.0.0.1:0")
		conns := make(chan *connection.TcpConnection, 1)
		w.OnConnect = func(c *connection.TcpConnection) { conns <- c }
		serve(t, w)
		nc := dial(t, w)
		c := <-conns
		var wg sync.WaitGroup
		for s := range senders {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for i := range each {
					if err := c.Send(fmt.Sprintf("%d-%d", s, i)); err != nil {
						t.Errorf("send: %v", err)
					}
				}
			}()
		}
		wg.Wait()
		c.Close("bye")
		r := bufio.NewReader(nc)
		next := make([]int, senders)
		for range senders * each {
			var s, i int
			if _, err := fmt.Sscanf(readLine(t, r), "%d-%d\n", &s, &i); err != nil {
				t.Fatal(err)
			}
			if i != next[s] {
				t.Fatalf("sender %d: got message %d, want %d (order within a goroutine is kept)", s, i, next[s])
			}
			next[s]++
		}
		if got := readLine(t, r); got != "bye\n" {
			t.Fatalf("last line %q, want bye", got)
		}
		if _, err := r.ReadByte(); err != io.EOF {
			t.Fatalf("after bye: %v, want EOF", err)
		}
		if err := c.Send("late"); !errors.Is(err, connection.ErrClosed) {
			t.Fatalf("send after close = %v, want ErrClosed", err)
		}
	})
}

func TestPanicInOnMessageEndsOnlyThatConnection(t *testing.T) {
	nettest.Backends(t, func(t *testing.T) {
		w := worker.New("text://127.0.0.1:0")
		w.OnMessage = func(c *connection.TcpConnection, data any) {
			if data.(string) == "boom" {
				panic("boom")
			}
			c.Send(data)
		}
		serve(t, w)
		before := connection.Stats().Panics
		good, bad := dial(t, w), dial(t, w)
		io.WriteString(bad, "boom\n")
		if _, err := bad.Read(make([]byte, 1)); err != io.EOF {
			t.Fatalf("panicking connection: read %v, want EOF", err)
		}
		io.WriteString(good, "still here\n")
		if got := readLine(t, bufio.NewReader(good)); got != "still here\n" {
			t.Fatalf("got %q", got)
		}
		if got := connection.Stats().Panics - before; got != 1 {
			t.Fatalf("panics counted = %d, want 1", got)
		}
	})
}

func TestSlowReaderIsBounded(t *testing.T) {
	nettest.Backends(t, func(t *testing.T) {
		const limit = 256 << 10
		chunk := strings.Repeat("x", 16<<10)
		w := worker.New("tcp://127.0.0.1:0")
		w.MaxSendBufferSize = limit
		var full, drained, fails atomic.Int64
		var maxBuffered atomic.Int64
		conns := make(chan *connection.TcpConnection, 1)
		w.OnConnect = func(c *connection.TcpConnection) { conns <- c }
		w.OnBufferFull = func(*connection.TcpConnection) { full.Add(1) }
		w.OnBufferDrain = func(*connection.TcpConnection) { drained.Add(1) }
		w.OnError = func(_ *connection.TcpConnection, code int, msg string) {
			if code == connection.SendFail && msg == "send buffer full and drop package" {
				fails.Add(1)
			}
		}
		serve(t, w)
		nc := dial(t, w)
		c := <-conns
		// Push far more than the kernel and the send buffer can hold, without reading.
		done := make(chan struct{})
		worker.Post(func() {
			defer close(done)
			for range 2000 {
				c.Send(chunk)
				maxBuffered.Store(max(maxBuffered.Load(), int64(c.SendBufferSize())))
			}
		})
		<-done
		if full.Load() == 0 || fails.Load() == 0 {
			t.Fatalf("OnBufferFull ran %d times, drops reported %d times; want both > 0", full.Load(), fails.Load())
		}
		if got := maxBuffered.Load(); got > limit+int64(len(chunk)) {
			t.Fatalf("send buffer reached %d bytes, want at most %d", got, limit+len(chunk))
		}
		// Reading everything drains the buffer.
		go io.Copy(io.Discard, nc)
		deadline := time.Now().Add(20 * time.Second)
		for drained.Load() == 0 && time.Now().Before(deadline) {
			time.Sleep(10 * time.Millisecond)
		}
		if drained.Load() == 0 {
			t.Fatal("OnBufferDrain never ran after the client read everything")
		}
	})
}

func TestOnCloseRunsExactlyOnce(t *testing.T) {
	nettest.Backends(t, func(t *testing.T) {
		cases := []struct {
			name  string
			close func(t *testing.T, c *connection.TcpConnection, nc net.Conn)
		}{
			{"when the peer closes", func(t *testing.T, _ *connection.TcpConnection, nc net.Conn) { nc.Close() }},
			{"when the peer resets", func(t *testing.T, _ *connection.TcpConnection, nc net.Conn) {
				nc.(*net.TCPConn).SetLinger(0)
				nc.Close()
			}},
			{"when the server closes", func(t *testing.T, c *connection.TcpConnection, _ net.Conn) { c.Close() }},
			{"when the server destroys twice", func(t *testing.T, c *connection.TcpConnection, _ net.Conn) {
				c.Destroy()
				c.Destroy()
				c.Close()
			}},
			{"when both sides close at once", func(t *testing.T, c *connection.TcpConnection, nc net.Conn) {
				go nc.Close()
				c.Close("x")
			}},
		}
		for _, tc := range cases {
			t.Run(tc.name, func(t *testing.T) {
				w := worker.New("text://127.0.0.1:0")
				var closes atomic.Int64
				closed := make(chan struct{}, 4)
				conns := make(chan *connection.TcpConnection, 1)
				w.OnConnect = func(c *connection.TcpConnection) { conns <- c }
				w.OnClose = func(c *connection.TcpConnection) {
					closes.Add(1)
					if c.Status() != connection.StatusClosed {
						t.Errorf("status in OnClose = %v", c.Status())
					}
					closed <- struct{}{}
				}
				serve(t, w)
				nc := dial(t, w)
				c := <-conns
				tc.close(t, c, nc)
				<-closed
				// Give any wrong second OnClose the chance to run.
				worker.Post(func() {})
				syncLoop()
				if got := closes.Load(); got != 1 {
					t.Fatalf("OnClose ran %d times", got)
				}
			})
		}
		t.Run("when the worker stops", func(t *testing.T) {
			w := worker.New("text://127.0.0.1:0")
			var closes atomic.Int64
			w.OnClose = func(*connection.TcpConnection) { closes.Add(1) }
			g, err := worker.Start(w)
			if err != nil {
				t.Fatal(err)
			}
			for range 3 {
				nc := dial(t, w)
				io.WriteString(nc, "x\n")
			}
			for len(connectionsOf(w)) < 3 {
				time.Sleep(time.Millisecond)
			}
			g.Stop()
			if got := closes.Load(); got != 3 {
				t.Fatalf("OnClose ran %d times for 3 connections", got)
			}
		})
	})
}

// syncLoop waits until the loop has run everything posted before it.
func syncLoop() {
	done := make(chan struct{})
	worker.Post(func() { close(done) })
	<-done
}

func connectionsOf(w *worker.Worker) map[uint64]*connection.TcpConnection {
	var m map[uint64]*connection.TcpConnection
	done := make(chan struct{})
	worker.Post(func() {
		m = make(map[uint64]*connection.TcpConnection)
		for k, v := range w.Connections() {
			m[k] = v
		}
		close(done)
	})
	<-done
	return m
}

func TestBadInputClosesOnlyThatConnection(t *testing.T) {
	nettest.Backends(t, func(t *testing.T) {
		cases := []struct {
			name, scheme string
			max          int
			send         []byte
		}{
			{"a frame header shorter than itself", "frame", 0, []byte{0, 0, 0, 2, 'x'}},
			{"a frame larger than MaxPackageSize", "frame", 64, frameBytes(strings.Repeat("y", 100))},
			{"a text line reaching MaxPackageSize", "text", 64, []byte(strings.Repeat("z", 64))},
		}
		for _, tc := range cases {
			t.Run(tc.name, func(t *testing.T) {
				w := echoWorker(tc.scheme + "://127.0.0.1:0")
				w.MaxPackageSize = tc.max
				serve(t, w)
				good, bad := dial(t, w), dial(t, w)
				bad.Write(tc.send)
				if _, err := io.ReadAll(bad); err != nil {
					t.Fatalf("bad connection: %v, want EOF", err)
				}
				want := []byte("ok\n")
				if tc.scheme == "frame" {
					want = frameBytes("ok")
				}
				good.Write(want)
				got := make([]byte, len(want))
				if _, err := io.ReadFull(good, got); err != nil || !bytes.Equal(got, want) {
					t.Fatalf("other connection got %q, %v", got, err)
				}
			})
		}
	})
}

func TestPauseAndResumeRecv(t *testing.T) {
	nettest.Backends(t, func(t *testing.T) {
		w := worker.New("text://127.0.0.1:0")
		var got []string
		conns := make(chan *connection.TcpConnection, 1)
		w.OnMessage = func(c *connection.TcpConnection, data any) {
			got = append(got, data.(string))
			if data.(string) == "pause" {
				c.PauseRecv()
				conns <- c
			}
		}
		serve(t, w)
		nc := dial(t, w)
		io.WriteString(nc, "a\npause\nb\nc\n")
		c := <-conns
		syncLoop()
		var seen []string
		worker.Post(func() { seen = append(seen, got...) })
		syncLoop()
		if strings.Join(seen, ",") != "a,pause" {
			t.Fatalf("while paused OnMessage saw %q", seen)
		}
		c.ResumeRecv()
		io.WriteString(nc, "d\n")
		for {
			var all string
			worker.Post(func() { all = strings.Join(got, ",") })
			syncLoop()
			if all == "a,pause,b,c,d" {
				break
			}
			if len(all) > len("a,pause,b,c,d") {
				t.Fatalf("got %q", all)
			}
			time.Sleep(time.Millisecond)
		}
	})
}

func TestEndDeliversNoFurtherPackage(t *testing.T) {
	nettest.Backends(t, func(t *testing.T) {
		w := worker.New("text://127.0.0.1:0")
		var calls atomic.Int64
		w.OnMessage = func(c *connection.TcpConnection, data any) {
			calls.Add(1)
			c.End([]byte("bye\n"))
		}
		serve(t, w)
		nc := dial(t, w)
		io.WriteString(nc, "a\nb\nc\n")
		all, err := io.ReadAll(nc)
		if err != nil || string(all) != "bye\n" {
			t.Fatalf("got %q, %v", all, err)
		}
		if calls.Load() != 1 {
			t.Fatalf("OnMessage ran %d times, want 1", calls.Load())
		}
	})
}

func TestAddresses(t *testing.T) {
	nettest.Backends(t, func(t *testing.T) {
		w := worker.New("text://127.0.0.1:0")
		type info struct {
			rip, lip     string
			rport, lport int
			v4, v6       bool
		}
		infos := make(chan info, 1)
		w.OnConnect = func(c *connection.TcpConnection) {
			infos <- info{c.RemoteIP(), c.LocalIP(), c.RemotePort(), c.LocalPort(), c.IsIPv4(), c.IsIPv6()}
		}
		serve(t, w)
		nc := dial(t, w)
		got := <-infos
		local := nc.LocalAddr().(*net.TCPAddr)
		want := info{"127.0.0.1", "127.0.0.1", local.Port, w.Addr().(*net.TCPAddr).Port, true, false}
		if got != want {
			t.Fatalf("got %+v, want %+v", got, want)
		}
	})
}

func TestStopReleasesEverything(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("counts descriptors through /proc/self/fd")
	}
	nettest.Backends(t, func(t *testing.T) {
		fds := func() int {
			ents, err := os.ReadDir("/proc/self/fd")
			if err != nil {
				t.Fatal(err)
			}
			return len(ents)
		}
		runtime.GC()
		beforeFDs, beforeG := fds(), runtime.NumGoroutine()
		w := echoWorker("text://127.0.0.1:0")
		g, err := worker.Start(w)
		if err != nil {
			t.Fatal(err)
		}
		var clients []net.Conn
		for range 20 {
			nc, err := net.Dial("tcp", w.Addr().String())
			if err != nil {
				t.Fatal(err)
			}
			io.WriteString(nc, "x\n")
			bufio.NewReader(nc).ReadString('\n')
			clients = append(clients, nc)
		}
		g.Stop()
		for _, nc := range clients {
			nc.Close()
		}
		deadline := time.Now().Add(5 * time.Second)
		for (fds() != beforeFDs || runtime.NumGoroutine() > beforeG) && time.Now().Before(deadline) {
			time.Sleep(10 * time.Millisecond)
		}
		if fds() != beforeFDs {
			t.Errorf("open descriptors %d after stop, %d before", fds(), beforeFDs)
		}
		if runtime.NumGoroutine() > beforeG {
			buf := make([]byte, 1<<16)
			t.Errorf("goroutines %d after stop, %d before:\n%s", runtime.NumGoroutine(), beforeG, buf[:runtime.Stack(buf, true)])
		}
	})
}
